{{ config(recomputed=
    "DBT_INTERNAL_DEST.article_id in (select article_id from intermediate.int_changed_articles)") }}
-- depends_on: {{ ref('int_changed_articles') }}
-- Built after int_changed_entities, which reads this mart's rows as the last build left them.
-- depends_on: {{ ref('int_changed_entities') }}
-- Named-entity mentions of current articles, each with its registry entity and offsets:
-- the bridge from people and organisations to the articles and places that name them.
-- Names spaCy missed but the registry found by their surname ("Dimitry Peskov") are included.
with ner as (
    select * from {{ ref('stg_raw__entities') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
),

links as (
    select * from {{ ref('int_entity_mentions') }}
    where mention_source <> 'speaker'
{%- if only_changed() %}
        and article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
),

articles as (
    select * from {{ ref('int_articles_current') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
)

select
    ner.mention_id,
    links.entity_id,
    links.canonical_name,
    ner.article_id,
    articles.outlet,
    articles.seen_at,
    ner.entity_type,
    ner.entity_text,
    ner.start_char,
    ner.end_char,
    'entity' as mention_source,
    links.match_rule
from ner
inner join articles using (article_id)
left join links
    on links.mention_source = 'entity'
    and links.article_id = ner.article_id
    and links.start_char = ner.start_char
    and links.end_char = ner.end_char

union all

select
    substr(md5(article_id || ':' || start_char || ':' || end_char || ':name_scan'), 1, 16) as mention_id,
    entity_id,
    canonical_name,
    article_id,
    outlet,
    seen_at,
    entity_type,
    mention_text as entity_text,
    start_char,
    end_char,
    mention_source,
    match_rule
from links
where mention_source = 'name_scan'
