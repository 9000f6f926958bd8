{#- Use the folder's schema name as it is (staging, intermediate, marts), without dbt's
    default "<target schema>_" prefix, so analysts query marts.quotes. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {{ custom_schema_name | trim if custom_schema_name else target.schema }}
{%- endmacro %}
