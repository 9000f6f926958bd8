-- Every claim has exactly one canonical wording, and no wording belongs to a missing claim.
select claims.claim_id, count(variants.variant_id) filter (where variants.is_canonical) as n_canonical
from {{ ref('claims') }} as claims
left join {{ ref('claim_variants') }} as variants using (claim_id)
group by claims.claim_id
having count(variants.variant_id) filter (where variants.is_canonical) <> 1
