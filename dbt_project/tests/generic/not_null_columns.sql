{#-
    Rows where any of `columns` is null fail. One scan for all of a model's required columns rather
    than one query per column: on the JVM engine every test is a statement with its own latency,
    and the per-column not_null tests were most of a build's time.
-#}
{% test not_null_columns(model, columns) %}

select *
from {{ model }}
where {% for column in columns -%}
    {{ column }} is null{{ ' or ' if not loop.last }}
{%- endfor %}

{% endtest %}
