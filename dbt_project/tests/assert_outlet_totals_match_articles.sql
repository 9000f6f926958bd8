-- The outlets mart must account for every current article and every quote exactly once.
with totals as (
    select sum(n_articles) as n_articles, sum(n_quotes) as n_quotes from {{ ref('outlets') }}
)

select *
from totals
where n_articles <> (select count(*) from {{ ref('articles') }})
   or n_quotes <> (select count(*) from {{ ref('quotes') }})
