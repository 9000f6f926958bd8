select
    article_id,
    content_hash,
    source_file,
    record_index,
    text_hash,
    nullif(trim(metadata_outlet), '') as metadata_outlet,
    url,
    lower(domain) as domain,
    signature_outlet,
    title,
    author,
    published_at,
    language,
    extra_metadata,
    text,
    n_words,
    encoding,
    truncated,
    run_id as loaded_by_run,
    ingested_at,
    -- The best available time the article existed: stated publication time, else ingestion.
    coalesce(published_at, ingested_at) as seen_at,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_extraction', 'articles') }}
