-- The latest version of each landing file: a file whose bytes changed is reloaded as a new
-- version, and the marts report only the newest one.
select *
from {{ ref('stg_raw__articles') }}
qualify row_number() over (
    partition by source_file
    order by ingested_at desc, article_id
) = 1
