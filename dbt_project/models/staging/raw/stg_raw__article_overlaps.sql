select
    article_a,
    article_b,
    shared_chars_a,
    shared_chars_b,
    share_a,
    share_b
from {{ source('raw_linking', 'article_overlaps') }}
