-- Quote occurrences of current article versions, with their article's metadata, the speaker's
-- registry entity and the claim and wording (variant) the linking step gave them.
with quotes as (
    select * from {{ ref('stg_raw__quotes') }}
),

articles as (
    select * from {{ ref('int_articles_current') }}
),

claims as (
    select * from {{ ref('stg_raw__claim_assignments') }}
),

variants as (
    select * from {{ ref('stg_raw__quote_variants') }}
),

-- A named speaker is linked at its quote's offsets.
speakers as (
    select article_id, start_char, end_char, entity_id, canonical_name
    from {{ ref('stg_raw__entity_links') }}
    where mention_source = 'speaker'
)

select
    quotes.* exclude (speaker),
    coalesce(speakers.canonical_name, quotes.speaker) as speaker,
    quotes.speaker as speaker_in_article,
    speakers.entity_id as speaker_entity_id,
    articles.source_file,
    articles.outlet,
    articles.published_at,
    articles.seen_at,
    claims.claim_id,
    claims.claim_match_rule,
    variants.variant_id
from quotes
inner join articles using (article_id)
left join claims using (quote_id)
left join variants using (quote_id)
left join speakers
    on speakers.article_id = quotes.article_id
    and speakers.start_char = quotes.start_char
    and speakers.end_char = quotes.end_char
