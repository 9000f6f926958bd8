{{ config(recomputed=
    "DBT_INTERNAL_DEST.article_id in (select article_id from intermediate.int_changed_articles)") }}
-- depends_on: {{ ref('int_changed_articles') }}
-- Built after int_changed_entities, which reads this mart's rows as the last build left them.
-- depends_on: {{ ref('int_changed_entities') }}
select
    quote_id,
    article_id,
    source_file,
    outlet,
    published_at,
    seen_at,
    case when published_at is null then 'loaded' else 'published' end as seen_basis,
    quote_text,
    start_char,
    end_char,
    quote_type,
    speaker,
    speaker_entity_id,
    speaker_in_article,
    speaker is not null as speaker_is_named,
    speaker_type,
    speaker_role,
    speaker_mention,
    speaker_start,
    speaker_end,
    cue,
    cue_start,
    cue_end,
    speech_confidence,
    speaker_confidence,
    claim_id,
    claim_match_rule,
    variant_id
from {{ ref('int_quotes_with_claims') }}
{%- if only_changed() %}
    where article_id in (select article_id from {{ ref('int_changed_articles') }})
{%- endif %}
