{{ config(recomputed=
    "DBT_INTERNAL_DEST.speaker_entity_id in (select entity_id from intermediate.int_changed_entities)") }}
-- depends_on: {{ ref('int_changed_entities') }}
-- One row per registry entity that speaks: a person, or an organisation, place or group quoted
-- as such ("the Kremlin said"), with the registry's type. Quotes whose speaker the text does not
-- name are left out. Quotes of "Mr Peskov", "Peskov" and "Dimitry Peskov" count for one person;
-- two entities of one name (GPE "Georgia", PERSON "Georgia") stay two rows.
-- Quotes come from the quotes mart, built before this model: the rows of int_quotes_with_claims,
-- stored, so a filter on them reads only the rows it keeps instead of joining every quote again.
with quotes as (
    select * from {{ ref('quotes') }}
    where speaker_entity_id is not null
{%- if only_changed() %}
        and speaker_entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
),

registry as (
    select
        entity_id as speaker_entity_id,
        any_value(canonical_name) as speaker,
        any_value(entity_type) as speaker_type
    from {{ ref('int_entity_mentions') }}
{%- if only_changed() %}
    where entity_id in (select entity_id from {{ ref('int_changed_entities') }})
{%- endif %}
    group by entity_id
)

select
    registry.speaker,
    quotes.speaker_entity_id,
    registry.speaker_type,
    count(*) as n_quotes,
    count(distinct quotes.claim_id) as n_claims,
    count(distinct quotes.article_id) as n_articles,
    count(distinct quotes.outlet) filter (where quotes.outlet <> 'unknown') as n_outlets,
    -- Publication times where known; load times only for a speaker no dated article quotes.
    coalesce(min(quotes.published_at), min(quotes.seen_at)) as first_seen_at,
    coalesce(max(quotes.published_at), max(quotes.seen_at)) as last_seen_at,
    case when count(quotes.published_at) > 0 then 'published' else 'loaded' end as seen_basis
from quotes
inner join registry using (speaker_entity_id)
group by quotes.speaker_entity_id, registry.speaker, registry.speaker_type
