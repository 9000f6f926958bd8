{{ config(recomputed=
    "DBT_INTERNAL_DEST.entity_id in (select entity_id from intermediate.int_changed_entities)") }}
-- depends_on: {{ ref('int_changed_entities') }}
-- One row per person or organisation in the cross-article registry.
with mentions as (
    select * from {{ ref('int_entity_mentions') }}
{%- if only_changed() %}
    where entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
)

select
    entity_id,
    any_value(canonical_name) as canonical_name,
    any_value(entity_type) as entity_type,
    list(distinct mention_text order by mention_text) as aliases,
    -- A scanned full name and the NER's tag of its surname alone end at one place: count places.
    count(distinct article_id || ':' || end_char) filter (where mention_source <> 'speaker') as n_mentions,
    count(*) filter (where mention_source = 'speaker') as n_quotes,
    count(distinct article_id) as n_articles,
    count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
    -- Publication times where known; load times only for an entity no dated article mentions.
    coalesce(min(published_at), min(seen_at)) as first_seen_at,
    case when count(published_at) > 0 then 'published' else 'loaded' end as seen_basis
from mentions
group by entity_id
