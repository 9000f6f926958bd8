-- The evidence of the registry: every way an entity was written, and the rule that merged it.
select
    entity_id,
    any_value(canonical_name) as canonical_name,
    mention_text as alias,
    match_rule,
    matched_alias,
    count(*) as n_mentions,
    count(distinct article_id) as n_articles,
    min(article_id) as example_article_id
from {{ ref('int_entity_mentions') }}
group by entity_id, mention_text, match_rule, matched_alias
