select
    variant_id,
    claim_id,
    wording,
    is_canonical,
    relation,
    changed_words,
    material_change,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_linking', 'claim_variants') }}
