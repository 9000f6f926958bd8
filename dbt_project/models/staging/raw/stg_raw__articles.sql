select
    article_id,
    content_hash,
    source_file,
    outlet,
    outlet_method,
    title,
    published_at,
    text,
    n_words,
    run_id as loaded_by_run,
    ingested_at,
    -- The best available time the article existed: stated publication time, else ingestion.
    coalesce(published_at, ingested_at) as seen_at
from {{ source('raw', 'articles') }}
