-- Each landing record (file, and line or item within it) has exactly one current article.
select source_file, record_index, count(*) as n_versions
from {{ ref('articles') }}
group by source_file, record_index
having count(*) > 1
