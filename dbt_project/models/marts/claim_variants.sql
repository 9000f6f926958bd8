{{ config(recomputed=
    "DBT_INTERNAL_DEST.claim_id in (select claim_id from intermediate.int_changed_claims)"
    ~ " or DBT_INTERNAL_DEST.claim_id not in (select claim_id from staging.stg_raw__claim_variants)") }}
-- depends_on: {{ ref('int_changed_claims') }}
-- One row per distinct wording of a claim, with where it was printed and how it departs from
-- the claim's canonical (most complete) wording.
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
)

select
    variants.variant_id,
    variants.claim_id,
    arg_min(occurrences.quote_text, (occurrences.seen_at, occurrences.article_id, occurrences.start_char)) as variant_text,
    variants.wording,
    variants.is_canonical,
    variants.relation,
    variants.changed_words,
    variants.material_change,
    count(*) as n_quotes,
    count(distinct occurrences.article_id) as n_articles,
    list(distinct occurrences.outlet order by occurrences.outlet) filter (where occurrences.outlet <> 'unknown') as outlets,
    coalesce(min(occurrences.published_at), min(occurrences.seen_at)) as first_seen_at,
    case when count(occurrences.published_at) > 0 then 'published' else 'loaded' end as seen_basis
from variants
inner join occurrences using (variant_id, claim_id)
group by all
