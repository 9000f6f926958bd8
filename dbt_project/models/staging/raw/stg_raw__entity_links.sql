select
    entity_id,
    canonical_name,
    entity_type,
    article_id,
    start_char,
    end_char,
    mention_text,
    source as mention_source,
    match_rule,
    matched_alias,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_linking', 'entity_links') }}
