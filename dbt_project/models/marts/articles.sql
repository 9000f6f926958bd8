{{ config(recomputed=
    "DBT_INTERNAL_DEST.article_id in (select article_id from intermediate.int_changed_articles)") }}
-- depends_on: {{ ref('int_changed_articles') }}
-- The text is read by id once the articles are chosen: through the version window it would be
-- read for every article.
with articles as (
    select * exclude (text) from {{ ref('int_articles_current') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
),

texts as (
    select article_id, text from {{ ref('stg_raw__articles') }}
),

quote_counts as (
    select article_id, count(*) as n_quotes, count(distinct speaker) as n_speakers
    from {{ ref('int_quotes_with_claims') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
    group by article_id
),

entity_counts as (
    select article_id, count(*) as n_entities
    from {{ ref('stg_raw__entities') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
    group by article_id
)

select
    articles.article_id,
    articles.source_file,
    articles.record_index,
    articles.content_hash,
    articles.outlet,
    articles.outlet_method,
    articles.url,
    articles.domain,
    articles.title,
    articles.author,
    articles.published_at,
    articles.seen_at,
    case when articles.published_at is null then 'loaded' else 'published' end as seen_basis,
    articles.ingested_at,
    articles.language,
    articles.n_words,
    articles.encoding,
    articles.truncated,
    coalesce(quote_counts.n_quotes, 0) as n_quotes,
    coalesce(quote_counts.n_speakers, 0) as n_speakers,
    coalesce(entity_counts.n_entities, 0) as n_entities,
    articles.extra_metadata,
    texts.text
from articles
inner join texts using (article_id)
left join quote_counts using (article_id)
left join entity_counts using (article_id)
