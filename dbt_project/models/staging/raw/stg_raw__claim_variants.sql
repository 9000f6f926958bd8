select
    variant_id,
    claim_id,
    wording,
    is_canonical,
    relation,
    changed_words,
    material_change
from {{ source('raw_linking', 'claim_variants') }}
