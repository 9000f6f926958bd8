select
    entity_id as mention_id,
    article_id,
    label as entity_type,
    entity_text,
    start_char,
    end_char
from {{ source('raw_extraction', 'entities') }}
