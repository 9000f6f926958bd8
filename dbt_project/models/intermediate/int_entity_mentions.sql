-- Registry links of current articles, with the article's outlet and date.
select
    links.*,
    articles.outlet,
    articles.published_at,
    articles.seen_at
from {{ ref('stg_raw__entity_links') }} as links
inner join {{ ref('int_articles_current') }} as articles using (article_id)
