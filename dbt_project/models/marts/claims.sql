-- One row per distinct statement (speaker + normalised words), however many articles carried it.
with occurrences as (
    select * from {{ ref('int_quotes_with_claims') }}
)

select
    claim_id,
    any_value(speaker) as speaker,
    -- The wording of the earliest occurrence (ties broken by article for a stable choice).
    arg_min(quote_text, (seen_at, article_id, start_char)) as claim_text,
    count(*) as n_quotes,
    count(distinct article_id) as n_articles,
    count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
    list(distinct outlet order by outlet) filter (where outlet <> 'unknown') as outlets,
    min(seen_at) as first_seen_at,
    max(seen_at) as last_seen_at
from occurrences
group by claim_id
