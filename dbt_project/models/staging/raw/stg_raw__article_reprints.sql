select
    article_id,
    text_chars,
    reprinted_chars
from {{ source('raw', 'article_reprints') }}
