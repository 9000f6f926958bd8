select
    quote_id,
    claim_id,
    match_rule as claim_match_rule,
    matched_quote_id,
    run_id as claim_assigned_run_id,
    assigned_at as claim_assigned_at,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_linking', 'claim_assignments') }}
