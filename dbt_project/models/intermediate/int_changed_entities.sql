{{ config(materialized='table') }}
-- depends_on: {{ ref('int_changed_articles') }}
-- Registry entities whose rows in entities, entity_aliases and speakers an incremental build
-- recomputes: every entity, unless the pipeline says where the last passing build began
-- (macros/changed_rows.sql). An entity is touched when an article of int_changed_articles (a
-- load, a relink, a new version) links it now, or linked it before this build: its earlier rows
-- in marts.entity_mentions (mentions) and marts.quotes (speakers). So an entity a relink moved
-- mentions away from is recomputed, and deleted from those marts when nothing links it any
-- more. It is a table, built before entity_mentions and quotes (they depend on it), so it reads
-- their rows as the last build left them. A unit test (no `this`) has no earlier rows.
{% set since = changed_after() %}
{%- set earlier = [] -%}
{%- if since is not none and execute and this is not none -%}
    {%- for table, column in [('entity_mentions', 'entity_id'), ('quotes', 'speaker_entity_id')] -%}
        {%- set relation = adapter.get_relation(database=this.database, schema='marts', identifier=table) -%}
        {%- if relation is not none -%}{%- do earlier.append((relation, column)) -%}{%- endif -%}
    {%- endfor -%}
{%- endif %}
with links as (
    select entity_id, article_id from {{ ref('stg_raw__entity_links') }}
)

{% if since is none %}
select distinct entity_id from links
{% else %}
, changed as (
    select article_id from {{ ref('int_changed_articles') }}
)

select entity_id from links where article_id in (select article_id from changed)
{%- for relation, column in earlier %}
union
select {{ column }} from {{ relation }}
where {{ column }} is not null and article_id in (select article_id from changed)
{%- endfor %}
{% endif %}
