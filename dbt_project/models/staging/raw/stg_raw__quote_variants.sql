select
    quote_id,
    variant_id
from {{ source('raw', 'quote_variants') }}
