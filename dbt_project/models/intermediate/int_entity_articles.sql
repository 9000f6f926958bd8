{{ config(materialized='incremental', incremental_strategy='replace_recomputed', on_schema_change='fail',
          unique_key=['entity_id', 'article_id'],
          recomputed="DBT_INTERNAL_DEST.article_id in (select article_id from intermediate.int_changed_articles)") }}
-- depends_on: {{ ref('int_changed_articles') }}
-- Each registry entity's mentions and quotes counted per current article: the marts' counts of
-- an entity are sums over its articles, so a night recomputes the rows of the articles it touched
-- and the entities mart adds up one row per article instead of reading every mention again.
select
    entity_id,
    article_id,
    any_value(canonical_name) as canonical_name,
    any_value(entity_type) as entity_type,
    any_value(outlet) as outlet,
    any_value(published_at) as published_at,
    any_value(seen_at) as seen_at,
    -- A scanned full name and the NER's tag of its surname alone end at one place: count places.
    count(distinct end_char) filter (where mention_source <> 'speaker') as n_mentions,
    count(*) filter (where mention_source = 'speaker') as n_quotes
from {{ ref('int_entity_mentions') }}
{%- if only_changed() %}
where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
group by entity_id, article_id
