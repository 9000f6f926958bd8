-- A speaker's counts are what the quotes mart says, and every quote's speaker entity has a row.
with from_quotes as (
    select speaker_entity_id, count(*) as n_quotes, count(distinct article_id) as n_articles
    from {{ ref('quotes') }}
    where speaker_entity_id is not null
    group by speaker_entity_id
)

select coalesce(speakers.speaker_entity_id, from_quotes.speaker_entity_id) as speaker_entity_id
from {{ ref('speakers') }} as speakers
full outer join from_quotes using (speaker_entity_id)
where speakers.speaker_entity_id is null
   or from_quotes.speaker_entity_id is null
   or speakers.n_quotes <> from_quotes.n_quotes
   or speakers.n_articles <> from_quotes.n_articles
