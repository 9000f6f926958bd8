select
    quote_id,
    variant_id
from {{ source('raw_linking', 'quote_variants') }}
