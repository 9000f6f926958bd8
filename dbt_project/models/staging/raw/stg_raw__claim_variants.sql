select
    variant_id,
    claim_id,
    wording,
    is_canonical,
    relation,
    changed_words,
    material_change
from {{ source('raw', 'claim_variants') }}
