{{ config(recomputed=
    "DBT_INTERNAL_DEST.entity_id in (select entity_id from intermediate.int_changed_entities)") }}
-- depends_on: {{ ref('int_changed_entities') }}
-- One row per person or organisation in the cross-article registry: its counts added up from
-- its rows per article, its aliases from entity_aliases (every way it was written).
with articles as (
    select * from {{ ref('int_entity_articles') }}
{%- if only_changed() %}
    where entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
),

aliases as (
    select entity_id, list(distinct alias order by alias) as aliases
    from {{ ref('entity_aliases') }}
{%- if only_changed() %}
    where entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
    group by entity_id
),

per_entity as (
    select
        entity_id,
        any_value(canonical_name) as canonical_name,
        any_value(entity_type) as entity_type,
        sum(n_mentions) as n_mentions,
        sum(n_quotes) as n_quotes,
        count(*) as n_articles,
        count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
        -- Publication times where known; load times only for an entity no dated article mentions.
        coalesce(min(published_at), min(seen_at)) as first_seen_at,
        case when count(published_at) > 0 then 'published' else 'loaded' end as seen_basis
    from articles
    group by entity_id
)

select
    per_entity.entity_id,
    per_entity.canonical_name,
    per_entity.entity_type,
    aliases.aliases,
    per_entity.n_mentions,
    per_entity.n_quotes,
    per_entity.n_articles,
    per_entity.n_outlets,
    per_entity.first_seen_at,
    per_entity.seen_basis
from per_entity
left join aliases using (entity_id)
