{#- What an incremental build of the large marts recomputes.

    The pipeline sets QUOTEWIRE_CHANGED_AFTER to the number the sequence ops.change_seq had
    when the last passing build began (extractors/transform.py). Every raw row the marts read
    carries the number it was written with (`change_seq`), so the rows written since are known,
    and int_changed_articles / int_changed_claims say which articles and claims they touch. An
    incremental build then computes the large marts for those only, merges them on their key and
    deletes the rows of those articles or claims that left. Unset (a first build, or the
    build after a failed one): every article and claim is recomputed, as a full refresh would. -#}

{% macro changed_after() -%}
    {%- set value = env_var('QUOTEWIRE_CHANGED_AFTER', '') | trim -%}
    {{ return(value | int if value else none) }}
{%- endmacro %}

{#- True when this build recomputes only what changed (never in a unit test, which has no
    existing table: `this` is none there). -#}
{% macro only_changed() -%}
    {{ return(changed_after() is not none and this is not none and is_incremental()) }}
{%- endmacro %}

{#- The merge of a large mart: update the rows that differ, insert the new ones, and delete the
    rows that left, among the rows the build recomputed (`recomputed`: a condition on the
    target row DBT_INTERNAL_DEST). -#}
{% macro merge_changed_rows(recomputed) -%}
    {{ return({
        "when_matched": [{"action": "update", "mode": "by_name",
                          "condition": "DBT_INTERNAL_DEST is distinct from DBT_INTERNAL_SOURCE"}],
        "when_not_matched": [{"action": "insert", "mode": "by_name"},
                             {"by": "source", "action": "delete", "condition": recomputed}]
    }) }}
{%- endmacro %}
