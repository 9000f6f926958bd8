-- A speaker's counts are what the quotes mart says, and every named speaker of a quote has a row.
with from_quotes as (
    select speaker, count(*) as n_quotes, count(distinct article_id) as n_articles
    from {{ ref('quotes') }}
    where speaker is not null
    group by speaker
)

select coalesce(speakers.speaker, from_quotes.speaker) as speaker
from {{ ref('speakers') }} as speakers
full outer join from_quotes using (speaker)
where speakers.speaker is null
   or from_quotes.speaker is null
   or speakers.n_quotes <> from_quotes.n_quotes
   or speakers.n_articles <> from_quotes.n_articles
