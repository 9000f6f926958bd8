-- An entity's n_quotes is the number of quote occurrences the quotes mart gives it.
with from_quotes as (
    select speaker_entity_id as entity_id, count(*) as n_quotes
    from {{ ref('quotes') }}
    where speaker_entity_id is not null
    group by speaker_entity_id
)

select entities.entity_id, entities.n_quotes, from_quotes.n_quotes as n_quotes_in_quotes
from {{ ref('entities') }} as entities
full outer join from_quotes using (entity_id)
where coalesce(entities.n_quotes, -1) <> coalesce(from_quotes.n_quotes, 0)
