{#-
    Cohort suppression (docs/report.md): a published cell computed from fewer than k
    distinct customers (var suppression_min_customers) is suppressed: flagged and null.

    Primary suppression alone is not enough where cells add up to something published (industries
    to the all-industries row, categories to 100% of a share): one suppressed cell in such a group
    is the published total minus the others. So, per group, when exactly one cell is suppressed the
    smallest other cell of the group is suppressed too (complementary suppression). A cell can
    belong to several groups (an industry row and a category column); the passes run over every
    group kind twice, which settles the two-way tables of the report.

    suppress_cells(from_cte, customers_column, groups, tie_breaker) selects every column of
    `from_cte` plus `is_suppressed` (boolean) and the passes' working columns `_suppressed_<n>`
    (the model's final select lists its columns, so they stay out of the mart). `groups` is a list of partition column lists, one
    per kind of group; an empty list is a group of all rows. `tie_breaker` orders equal cells so the
    choice is deterministic.
-#}
{% macro suppress_cells(from_cte, customers_column, groups=[], tie_breaker=none) %}
    {%- set k = suppression_min_customers() -%}
    {%- set passes = groups + groups -%}
    {%- set order_by = customers_column ~ (', ' ~ tie_breaker if tie_breaker else '') -%}
    select *, _suppressed_{{ passes | length }} as is_suppressed
    from (
        {%- for group in passes | reverse %}
        select
            *,
            _suppressed_{{ passes | length - loop.index }}
            or (
                not _suppressed_{{ passes | length - loop.index }}
                and sum(case when _suppressed_{{ passes | length - loop.index }} then 1 else 0 end)
                    over ({{ _partition(group) }}) = 1
                and row_number() over (
                    {{ _partition(group + ['_suppressed_' ~ (passes | length - loop.index)]) }}
                    order by {{ order_by }}
                ) = 1
            ) as _suppressed_{{ passes | length - loop.index + 1 }}
        from (
        {%- endfor %}
        select *, coalesce({{ customers_column }}, 0) < {{ k }} as _suppressed_0
        from {{ from_cte }}
        {%- for group in passes %}
        ) as pass_{{ loop.index }}
        {%- endfor %}
    ) as suppressed
{% endmacro %}


{% macro _partition(columns) -%}
    {%- if columns | length > 0 -%}partition by {{ columns | join(', ') }}{%- endif -%}
{%- endmacro %}
