-- One row per named speaker (a registry entity); quotes whose speaker the text does not name
-- are left out. Quotes of "Mr Peskov", "Peskov" and "Dimitry Peskov" count for one person.
select
    speaker,
    any_value(speaker_entity_id) as speaker_entity_id,
    mode(speaker_type) as speaker_type,
    count(*) as n_quotes,
    count(distinct claim_id) as n_claims,
    count(distinct article_id) as n_articles,
    count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
    -- Publication times where known; load times only for a speaker no dated article quotes.
    coalesce(min(published_at), min(seen_at)) as first_seen_at,
    coalesce(max(published_at), max(seen_at)) as last_seen_at,
    case when count(published_at) > 0 then 'published' else 'loaded' end as seen_basis
from {{ ref('int_quotes_with_claims') }}
where speaker is not null
group by speaker
