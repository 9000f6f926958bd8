-- Quotes come from the quotes mart, built before this model: the rows of int_quotes_with_claims,
-- stored, so a filter on them reads only the rows it keeps instead of joining every quote again.
with articles as (
    select * from {{ ref('int_articles_current') }}
),

quotes as (
    select * from {{ ref('quotes') }}
),

registry as (
    select * from {{ ref('outlet_registry') }}
),

reprints as (
    select articles.outlet, sum(r.reprinted_chars) as reprinted_chars, sum(r.text_chars) as text_chars
    from {{ ref('stg_raw__article_reprints') }} as r
    inner join articles using (article_id)
    group by articles.outlet
),

per_outlet as (
    select
        articles.outlet,
        count(distinct articles.article_id) as n_articles,
        count(quotes.quote_id) as n_quotes,
        count(distinct quotes.speaker) as n_speakers
    from articles
    left join quotes using (article_id)
    group by articles.outlet
)

select
    per_outlet.outlet,
    registry.domain,
    registry.country,
    registry.outlet_type,
    per_outlet.n_articles,
    per_outlet.n_quotes,
    per_outlet.n_speakers,
    round(per_outlet.n_quotes / per_outlet.n_articles, 2) as quotes_per_article,
    -- Share of the outlet's text found verbatim in another article (reprinted or reprinting).
    round(coalesce(reprints.reprinted_chars / nullif(reprints.text_chars, 0), 0), 4) as reprinted_share
from per_outlet
left join registry on registry.outlet = per_outlet.outlet
left join reprints on reprints.outlet = per_outlet.outlet
