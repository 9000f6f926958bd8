-- A claim's counts must be what its quote occurrences say, and every claim has one at least.
with from_quotes as (
    select claim_id, count(*) as n_quotes, count(distinct article_id) as n_articles
    from {{ ref('quotes') }}
    group by claim_id
)

select claims.claim_id
from {{ ref('claims') }} as claims
left join from_quotes using (claim_id)
where from_quotes.claim_id is null
   or claims.n_quotes <> from_quotes.n_quotes
   or claims.n_articles <> from_quotes.n_articles
