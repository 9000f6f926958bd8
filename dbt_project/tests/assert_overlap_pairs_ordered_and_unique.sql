-- Each pair of articles is listed once, smaller article id first.
select article_a, article_b, count(*) as n_rows
from {{ ref('article_overlaps') }}
group by article_a, article_b
having count(*) > 1 or article_a >= article_b
