{{ config(recomputed=
    "DBT_INTERNAL_DEST.claim_id in (select claim_id from intermediate.int_changed_claims)"
    ~ " or DBT_INTERNAL_DEST.claim_id not in (select claim_id from staging.stg_raw__claim_variants)") }}
-- depends_on: {{ ref('int_changed_claims') }}
-- One row per claim: one statement by one speaker, however many articles printed it and in
-- whatever wording. The canonical text is the most complete wording, as first printed.
-- Quotes come from the quotes mart, built before this model: the rows of int_quotes_with_claims,
-- stored, so a filter on them reads only the rows it keeps instead of joining every quote again.
with occurrences as (
    select * from {{ ref('quotes') }}
{%- if only_changed() %}
    where claim_id in (select claim_id from {{ ref('int_changed_claims') }})
{%- endif %}
),

variants as (
    select * from {{ ref('stg_raw__claim_variants') }}
{%- if only_changed() %}
    where claim_id in (select claim_id from {{ ref('int_changed_claims') }})
{%- endif %}
),

per_claim as (
    select
        claim_id,
        -- One speaker entity per claim by construction; the most frequent name guards ties.
        mode(speaker) as speaker,
        mode(speaker_entity_id) as speaker_entity_id,
        count(*) as n_quotes,
        count(distinct article_id) as n_articles,
        count(distinct outlet) filter (where outlet <> 'unknown') as n_outlets,
        list(distinct outlet order by outlet) filter (where outlet <> 'unknown') as outlets,
        -- Publication times where any article states one; load times only when none does, and
        -- an article without a publication time never wins "who was first".
        coalesce(min(published_at), min(seen_at)) as first_seen_at,
        arg_min(outlet, (published_at is null, seen_at, article_id)) as first_outlet,
        coalesce(max(published_at), max(seen_at)) as last_seen_at,
        case when count(published_at) > 0 then 'published' else 'loaded' end as seen_basis,
        count(distinct variant_id) as n_variants
    from occurrences
    group by claim_id
),

canonical as (
    select
        occurrences.claim_id,
        arg_min(occurrences.quote_text, (occurrences.seen_at, occurrences.article_id, occurrences.start_char)) as claim_text
    from occurrences
    inner join variants using (variant_id)
    where variants.is_canonical
    group by occurrences.claim_id
),

changes as (
    select claim_id, bool_or(material_change) as has_material_change
    from variants
    group by claim_id
)

select
    per_claim.claim_id,
    per_claim.speaker,
    per_claim.speaker_entity_id,
    canonical.claim_text,
    per_claim.n_quotes,
    per_claim.n_articles,
    per_claim.n_outlets,
    per_claim.outlets,
    per_claim.first_seen_at,
    per_claim.first_outlet,
    per_claim.last_seen_at,
    per_claim.seen_basis,
    per_claim.n_variants,
    coalesce(changes.has_material_change, false) as has_material_change
from per_claim
left join canonical using (claim_id)
left join changes using (claim_id)
