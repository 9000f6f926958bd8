-- A wording is a material change exactly when a word was replaced, added or removed, and a
-- claim has a material change exactly when one of its wordings does.
with per_claim as (
    select claim_id, bool_or(material_change) as has_material_change
    from {{ ref('claim_variants') }}
    group by claim_id
)

select variants.claim_id, variants.variant_id, 'variant' as level
from {{ ref('claim_variants') }} as variants
where variants.material_change is distinct from (variants.relation = 'reworded')

union all

select claims.claim_id, null as variant_id, 'claim' as level
from {{ ref('claims') }} as claims
left join per_claim using (claim_id)
where claims.has_material_change is distinct from coalesce(per_claim.has_material_change, false)
