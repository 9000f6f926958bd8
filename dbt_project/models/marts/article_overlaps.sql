-- Pairs of current articles that share long verbatim passages: reprinted or shared wire copy.
with articles as (
    select * from {{ ref('int_articles_current') }}
)

select
    pairs.article_a,
    pairs.article_b,
    a.outlet as outlet_a,
    b.outlet as outlet_b,
    a.title as title_a,
    b.title as title_b,
    pairs.shared_chars_a,
    pairs.shared_chars_b,
    pairs.share_a,
    pairs.share_b,
    -- Which printed it first: only stated publication times can tell, never load times.
    case
        when a.published_at < b.published_at then pairs.article_a
        when b.published_at < a.published_at then pairs.article_b
    end as earlier_article
from {{ ref('stg_raw__article_overlaps') }} as pairs
inner join articles as a on a.article_id = pairs.article_a
inner join articles as b on b.article_id = pairs.article_b
