-- The latest version of each landing record, with its outlet decided.
-- A file whose bytes changed is reloaded as a new version; the marts report only the newest.
-- Outlet: explicit metadata, else the URL's domain through the outlet registry seed, else a
-- signature in the text ("notifications from The Independent"), else 'unknown'.
-- The newest version is chosen over the narrow columns that decide it, then its row is read: a
-- window over whole rows would hold every version's text in memory at once.
with newest as (
    select article_id
    from {{ ref('stg_raw__articles') }}
    qualify row_number() over (
        partition by source_file, record_index
        order by ingested_at desc, article_id asc
    ) = 1
),

latest as (
    select versions.*
    from {{ ref('stg_raw__articles') }} as versions
    where versions.article_id in (select newest.article_id from newest)
),

registry as (
    select * from {{ ref('outlet_registry') }}
),

by_domain as (
    -- "edition.cnn.com" belongs to "cnn.com": the longest registered suffix wins.
    select latest.article_id, registry.outlet
    from latest
    inner join registry
        on latest.domain = registry.domain
        or latest.domain like '%.' || registry.domain
    qualify row_number() over (partition by latest.article_id order by length(registry.domain) desc) = 1
)

select
    latest.*,
    coalesce(latest.metadata_outlet, by_domain.outlet, latest.signature_outlet, 'unknown') as outlet,
    case
        when latest.metadata_outlet is not null then 'metadata'
        when by_domain.outlet is not null then 'url_domain'
        when latest.signature_outlet is not null then 'text_signature'
        else 'unknown'
    end as outlet_method
from latest
left join by_domain using (article_id)
