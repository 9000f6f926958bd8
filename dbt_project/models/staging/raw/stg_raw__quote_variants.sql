select
    quote_id,
    variant_id,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_linking', 'quote_variants') }}
