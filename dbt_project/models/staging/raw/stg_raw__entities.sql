select
    entity_id as mention_id,
    article_id,
    label as entity_type,
    entity_text,
    start_char,
    end_char,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_extraction', 'entities') }}
