{#-
    Layers get fixed schema names (staging, intermediate, marts, reference): the catalog is the
    engine's session catalog and the data lives by location under the lakehouse, so there is no
    shared warehouse where developers' schemas would need a per-target prefix.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
