-- A claim's occurrences are the sum of its wordings' occurrences, and n_variants counts them.
with per_claim as (
    select claim_id, sum(n_quotes) as n_quotes, count(*) as n_variants
    from {{ ref('claim_variants') }}
    group by claim_id
)

select claims.claim_id
from {{ ref('claims') }} as claims
left join per_claim using (claim_id)
where per_claim.claim_id is null
   or claims.n_quotes <> per_claim.n_quotes
   or claims.n_variants <> per_claim.n_variants
