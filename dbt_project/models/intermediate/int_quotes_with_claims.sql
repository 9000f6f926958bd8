-- Quote occurrences of current article versions, with their article's metadata and claim.
-- A claim is one statement by one speaker: occurrences with the same speaker and the same
-- normalised words (quote marks, punctuation and case removed) share a claim_id, which is a
-- hash of those two values and so stays the same in every run.
with quotes as (
    select * from {{ ref('stg_raw__quotes') }}
),

articles as (
    select * from {{ ref('int_articles_current') }}
)

select
    quotes.*,
    articles.source_file,
    articles.outlet,
    articles.published_at,
    articles.seen_at,
    md5(coalesce(lower(quotes.speaker), '') || '|' || quotes.normalized_text) as claim_id
from quotes
inner join articles using (article_id)
