{#-
    Weeks start on Monday (the report definition). Week arithmetic happens here, at compile time, from the
    report vars, so models compare plain date literals.
-#}

{#- The Monday starting the week that holds `date_expression`. -#}
{% macro week_start(date_expression) -%}
    cast(date_trunc('week', {{ date_expression }}) as date)
{%- endmacro %}


{% macro _parse_date(name) %}
    {{ return(modules.datetime.datetime.strptime(var(name) | string | trim, '%Y-%m-%d').date()) }}
{% endmacro %}


{#- Monday of the week holding the date var `name`, as a SQL date literal. -#}
{% macro week_of(name) %}
    {%- set day = _parse_date(name) -%}
    {%- set monday = day - modules.datetime.timedelta(days=day.weekday()) -%}
    {{ return("cast('" ~ monday.isoformat() ~ "' as date)") }}
{% endmacro %}


{#-
    Weekly YoY spans: the last `weekly_yoy_weeks` full weeks (Monday..Sunday) ending by
    `weekly_yoy_end`, and the same weeks 52 weeks earlier. Returns SQL date literals
    {current_first, current_last, base_first, base_last} of the weeks' Mondays.
-#}
{% macro weekly_yoy_span() %}
    {%- set end = _parse_date('weekly_yoy_end') -%}
    {%- set weeks = var('weekly_yoy_weeks') | int -%}
    {%- set td = modules.datetime.timedelta -%}
    {#- Monday of the last week whose Sunday is on or before `end` -#}
    {%- set last_monday = end + td(days=1) - td(days=(end + td(days=1)).weekday()) - td(days=7) -%}
    {%- set first_monday = last_monday - td(days=7 * (weeks - 1)) -%}
    {%- set span = {
        'current_first': first_monday, 'current_last': last_monday,
        'base_first': first_monday - td(days=364), 'base_last': last_monday - td(days=364),
    } -%}
    {%- set literals = {} -%}
    {%- for key, day in span.items() -%}
        {%- do literals.update({key: "cast('" ~ day.isoformat() ~ "' as date)"}) -%}
    {%- endfor -%}
    {{ return(literals) }}
{% endmacro %}


{#-
    The holiday smoothing of a weekly series (report definition: "weeks starting 2023-12-18 ..
    2024-01-01 are replaced by their mean"): inside the span the value is the mean of the span's
    weeks of the same series (partition), outside it the value itself.
-#}
{% macro holiday_smoothed(value, week_column, partition_by) -%}
    case
        when {{ week_column }} between {{ report_date('holiday_start') }} and {{ report_date('holiday_end') }}
            then avg(case
                when {{ week_column }} between {{ report_date('holiday_start') }} and {{ report_date('holiday_end') }}
                    then {{ value }}
            end) over (partition by {{ partition_by | join(', ') }})
        else {{ value }}
    end
{%- endmacro %}
