{#-
    Every row-level rule of a model in one statement: `checks` is a list of SQL conditions (a
    string, or {name, expression, description}), `unique_key` the columns whose combination
    identifies a row (a compound key, or one column); the test returns one row per rule that some
    rows break, with how many (for the key: the rows of every combination that occurs more than
    once). A condition that evaluates to null passes (an absent optional value), so a rule on an
    optional column reads "when present, ...". One statement per model instead of one per column
    and one per key: on the JVM engine every test is a statement with its own latency.

    The key is counted over a window on the same scan, not in a second aggregate unioned with the
    first: Sail rejects that union for some models (the branches' nullability differs). The counts
    become one row per rule with `stack`, not a `union all` of one select per rule: the JVM engine
    computes the counts once per branch of a union (a model's row checks took 4.5 times as long).
-#}
{% test row_checks(model, checks, unique_key=none) %}

with counts as (

    select
{%- for check in checks %}
        count_if(not ({{ check if check is string else check.expression }})) as failing_{{ loop.index }}
        {{- ',' if not loop.last or unique_key }}
    {%- endfor %}
{%- if unique_key %}
        count_if(rows_of_key > 1) as repeated_key_rows
    from (
        select
            *,
            count(*) over (partition by {{ unique_key | join(', ') }}) as rows_of_key
        from {{ model }}
    ) as keyed
{%- else %}
    from {{ model }}
{%- endif %}

)

{#- one (name, count) pair of stack's arguments per rule, the key's last -#}
{%- set pairs = [] -%}
{%- for check in checks -%}
    {%- set name = check if check is string else check.name -%}
    {%- do pairs.append("'" ~ (name | replace("'", "\\'")) ~ "', failing_" ~ loop.index) -%}
{%- endfor -%}
{%- if unique_key -%}
    {%- do pairs.append("'unique (" ~ (unique_key | join(', ')) ~ ")', repeated_key_rows") -%}
{%- endif %}

select
    failed_check,
    failing_rows
from (
    select stack({{ pairs | length }}, {{ pairs | join(', ') }}) as (failed_check, failing_rows)
    from counts
) as rules
where failing_rows > 0

{% endtest %}
