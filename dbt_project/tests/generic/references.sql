{#-
    Every row's values of `columns` (a mapping: model column -> column of `to`) appear together in
    one row of `to` (a seed or model): the composite form of dbt's `relationships`, so a mart's
    industry name and key are checked against the seed's pairs in one query. Null values pass, as
    with `relationships`; dbt's `where` config leaves rows out (e.g. the overall `all` rows).
-#}
{% test references(model, to, columns) %}

select
    {% for column in columns -%}
    child.{{ column }}{{ ',' if not loop.last }}
    {% endfor -%}
from (select * from {{ model }}) as child
left anti join {{ to }} as parent
    on {% for column, parent_column in columns.items() -%}
    child.{{ column }} = parent.{{ parent_column }}{{ ' and ' if not loop.last }}
    {%- endfor %}
where {% for column in columns -%}
    child.{{ column }} is not null{{ ' and ' if not loop.last }}
    {%- endfor %}

{% endtest %}
