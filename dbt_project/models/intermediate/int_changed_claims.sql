-- Claims whose rows in claim_variants may have changed since the last passing build began:
-- every claim, unless the pipeline says where that build began (macros/changed_rows.sql). A
-- claim is touched when its wordings were redescribed, when it gained an occurrence, and when an
-- article holding one of its occurrences changed (a new version, new metadata).
{% set since = changed_after() %}
with assignments as (
    select * from {{ ref('stg_raw__claim_assignments') }}
)

{% if since is none %}
select distinct claim_id from assignments
{% else %}
select claim_id from {{ ref('stg_raw__claim_variants') }} where change_seq > {{ since }}
union
select claim_id from assignments where change_seq > {{ since }}
union
select assignments.claim_id
from assignments
inner join {{ ref('stg_raw__quotes') }} as quotes using (quote_id)
where quotes.article_id in (select article_id from {{ ref('int_changed_articles') }})
{% endif %}
