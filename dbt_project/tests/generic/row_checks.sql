{#-
    Every row-level rule of a model in one scan: `checks` is a list of SQL conditions (a string, or
    {name, expression, description}); the test returns one row per rule that some rows break, with
    how many. A condition that evaluates to null passes (an absent optional value), so a rule on an
    optional column reads "when present, ...". One statement per model instead of one per column:
    on the JVM engine every test is a statement with its own latency.
-#}
{% test row_checks(model, checks) %}

with counts as (

    select
{%- for check in checks %}
        count_if(not ({{ check if check is string else check.expression }})) as failing_{{ loop.index }}
        {{- ',' if not loop.last }}
    {%- endfor %}
    from {{ model }}

)

{% for check in checks -%}
select
    '{{ (check if check is string else check.name) | replace("'", "\\'") }}' as failed_check,
    failing_{{ loop.index }} as failing_rows
from counts
where failing_{{ loop.index }} > 0
{{ 'union all' if not loop.last }}
{% endfor %}

{% endtest %}
