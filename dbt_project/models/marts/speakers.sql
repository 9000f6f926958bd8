-- One row per named speaker; quotes whose speaker the text does not name are left out.
select
    speaker,
    count(*) as n_quotes,
    count(distinct claim_id) as n_claims,
    count(distinct article_id) as n_articles,
    count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
    min(seen_at) as first_seen_at,
    max(seen_at) as last_seen_at
from {{ ref('int_quotes_with_claims') }}
where speaker is not null
group by speaker
