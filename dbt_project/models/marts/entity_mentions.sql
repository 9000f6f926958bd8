-- Named entities of current article versions, with the outlet, for "who is mentioned where".
select
    entities.entity_id,
    entities.article_id,
    articles.outlet,
    articles.seen_at,
    entities.entity_type,
    entities.entity_text,
    entities.start_char,
    entities.end_char
from {{ ref('stg_raw__entities') }} as entities
inner join {{ ref('int_articles_current') }} as articles using (article_id)
