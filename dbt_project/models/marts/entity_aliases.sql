{{ config(recomputed=
    "DBT_INTERNAL_DEST.entity_id in (select entity_id from intermediate.int_changed_entities)") }}
-- depends_on: {{ ref('int_changed_entities') }}
-- The evidence of the registry: every way an entity was written, and the rule that merged it.
with mentions as (
    select * from {{ ref('int_entity_mentions') }}
{%- if only_changed() %}
    where entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
)

select
    entity_id,
    any_value(canonical_name) as canonical_name,
    mention_text as alias,
    match_rule,
    matched_alias,
    count(*) as n_mentions,
    count(distinct article_id) as n_articles,
    min(article_id) as example_article_id
from mentions
group by entity_id, mention_text, match_rule, matched_alias
