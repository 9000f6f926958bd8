-- Articles whose rows in the large marts (articles, quotes, entity_mentions) may have changed
-- since the last passing build began: every article, unless the pipeline says where that build
-- began (macros/changed_rows.sql). An article is touched by its own new or updated rows
-- (a load, a reprocess) and by link rows written for it (an entity relinked, a quote given its
-- claim or wording). Every version of a touched landing record is included, so a superseded
-- version's rows leave the marts when its successor arrives.
{% set since = changed_after() %}
with articles as (
    select * from {{ ref('stg_raw__articles') }}
)

{% if since is none %}
select article_id from articles
{% else %}
, written as (
    select article_id from articles where change_seq > {{ since }}
    union
    select article_id from {{ ref('stg_raw__entities') }} where change_seq > {{ since }}
    union
    select article_id from {{ ref('stg_raw__quotes') }} where change_seq > {{ since }}
    union
    select article_id from {{ ref('stg_raw__entity_links') }} where change_seq > {{ since }}
    union
    select quotes.article_id
    from {{ ref('stg_raw__quotes') }} as quotes
    inner join (
        select quote_id from {{ ref('stg_raw__claim_assignments') }} where change_seq > {{ since }}
        union
        select quote_id from {{ ref('stg_raw__quote_variants') }} where change_seq > {{ since }}
    ) as linked using (quote_id)
),

records as (
    select distinct source_file, record_index
    from articles
    where article_id in (select article_id from written)
)

select articles.article_id
from articles
inner join records using (source_file, record_index)
{% endif %}
