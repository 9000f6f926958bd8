with articles as (
    select * from {{ ref('int_articles_current') }}
),

quotes as (
    select * from {{ ref('int_quotes_with_claims') }}
),

registry as (
    select * from {{ ref('outlet_registry') }}
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
    round(per_outlet.n_quotes / per_outlet.n_articles, 2) as quotes_per_article
from per_outlet
left join registry on registry.outlet = per_outlet.outlet
