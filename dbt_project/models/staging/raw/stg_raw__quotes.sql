select
    quote_id,
    article_id,
    quote_text,
    start_char,
    end_char,
    quote_type,
    speaker,
    speaker_type,
    speaker_role,
    speaker_mention,
    speaker_start,
    speaker_end,
    cue,
    cue_start,
    cue_end,
    normalized_text,
    speech_confidence,
    speaker_confidence,
    -- When the row was written, as a number of the sequence ops.change_seq (int_changed_articles).
    change_seq
from {{ source('raw_extraction', 'quotes') }}
