{#-
    Report parameters are vars (dbt_project.yml, the 2024 report by default). Use these helpers
    instead of typing a date into a model, so next year's report is a --vars change.
-#}

{#- A date var as a SQL date literal: cast('2023-02-01' as date). Fails on a malformed value. -#}
{% macro report_date(name) %}
    {%- set value = var(name) | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', value) -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a YYYY-MM-DD date, got '" ~ value ~ "'.") }}
    {%- endif -%}
    {%- do modules.datetime.datetime.strptime(value, '%Y-%m-%d') -%}
    {{ return("cast('" ~ value ~ "' as date)") }}
{% endmacro %}

{#- The suppression threshold k: a published cell needs at least k distinct customers. -#}
{% macro suppression_min_customers() %}
    {{ return(var('suppression_min_customers') | int) }}
{% endmacro %}
