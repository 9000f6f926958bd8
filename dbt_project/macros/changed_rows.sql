{#- What an incremental build of the large marts recomputes.

    The pipeline sets QUOTEWIRE_CHANGED_AFTER to the number the sequence ops.change_seq had
    when the last passing build began (extractors/transform.py). Every raw row the marts read
    carries the number it was written with (`change_seq`), so the rows written since are known,
    and int_changed_articles / int_changed_claims say which articles and claims they touch. An
    incremental build then computes the large marts for those only and replaces those articles'
    or claims' rows with them (`replace_recomputed`, below). Unset (a first build, or the
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

{#- The incremental strategy of the large marts and the registry's (`replace_recomputed`, set
    in dbt_project.yml): delete the existing rows the build recomputed, then insert what it
    computed. A model names its recomputed rows in its `recomputed` config, a condition on the
    existing row DBT_INTERNAL_DEST ("its article is among int_changed_articles"). Rows of a key
    the build computed are deleted wherever they are, as a merge on the key would update them,
    so a key can be doubled only among the rows the build recomputed (the scope of the marts'
    `unique` tests). A build that recomputed every row (no QUOTEWIRE_CHANGED_AFTER) replaces
    every row, as a full refresh would. A merge "when not matched by source" would join every
    existing row with the computed ones, reading each column of the table (every article's
    text) to compare them; this deletes by the key columns only. -#}

{% macro get_incremental_replace_recomputed_sql(arg_dict) -%}
    {%- set target = arg_dict["target_relation"] -%}
    {%- set source = arg_dict["temp_relation"] -%}
    {%- set keys = [arg_dict["unique_key"]] if arg_dict["unique_key"] is string else arg_dict["unique_key"] -%}
    {%- set recomputed = config.require("recomputed") -%}
{%- if only_changed() %}
    delete from {{ target }} as DBT_INTERNAL_DEST
    where ({{ recomputed }})
        or exists (
            select 1 from {{ source }} as DBT_INTERNAL_SOURCE
            where {% for key in keys %}DBT_INTERNAL_SOURCE.{{ key }} = DBT_INTERNAL_DEST.{{ key }}{{ " and " if not loop.last }}{% endfor %}
        );
{%- else %}
    -- every row was recomputed: the computed rows replace the table's
    delete from {{ target }};
{%- endif %}
    insert into {{ target }} by name select * from {{ source }}
{%- endmacro %}
