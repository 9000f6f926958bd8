select
    quote_id,
    claim_id,
    match_rule as claim_match_rule,
    matched_quote_id,
    run_id as claim_assigned_run_id,
    assigned_at as claim_assigned_at
from {{ source('raw_linking', 'claim_assignments') }}
