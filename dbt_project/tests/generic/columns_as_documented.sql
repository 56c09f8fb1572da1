{#-
    The model has exactly the columns its yml documents, in any order: the published report and
    the site read a mart by its documented columns, so a column added or dropped in the SQL alone
    fails here rather than in publish. One row per column documented but absent, or present but
    undocumented. Reads the relation's schema only (no scan).
-#}
{% test columns_as_documented(model) %}

{%- set documented, actual = [], [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.alias == model.identifier and node.schema == model.schema -%}
        {%- for name in node.columns -%}{%- do documented.append(name | lower) -%}{%- endfor -%}
    {%- endfor -%}
    {%- for column in adapter.get_columns_in_relation(model) -%}{%- do actual.append(column.name | lower) -%}{%- endfor -%}
{%- endif -%}
{%- set problems = [] -%}
{%- for name in documented if name not in actual -%}{%- do problems.append(('documented, not in the table', name)) -%}{%- endfor -%}
{%- for name in actual if name not in documented -%}{%- do problems.append(('in the table, not documented', name)) -%}{%- endfor -%}

{%- for problem, name in problems %}
select '{{ problem }}' as problem, '{{ name }}' as column_name
{{ 'union all' if not loop.last }}
{%- else %}
select 'none' as problem, 'none' as column_name
where false
{%- endfor %}

{% endtest %}
