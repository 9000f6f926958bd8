select
    article_id,
    text_chars,
    reprinted_chars
from {{ source('raw_linking', 'article_reprints') }}
