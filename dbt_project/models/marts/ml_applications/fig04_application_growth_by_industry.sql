{#-
    F4. Fastest-growing DS/ML applications: YoY growth of the monthly count of distinct notebooks
    per application category (value in yoy_current_month / value in yoy_base_month - 1), overall
    (industry_key `all`) and per industry. Industries of a category add up to the overall row in
    each month, so suppression is complementary within a category.
-#}

{%- set months = {'base': report_date('yoy_base_month'), 'current': report_date('yoy_current_month')} %}

with

notebook_categories as (

    select * from {{ ref('int_notebook_category_months') }}
    where activity_month in (trunc({{ months.base }}, 'MM'), trunc({{ months.current }}, 'MM'))

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

categorized as (

    select
        customer_industry.industry,
        customer_industry.industry_key,
        notebook_categories.*

    from notebook_categories
    inner join customer_industry
        on notebook_categories.customer_key = customer_industry.customer_key

),

{% for grouping in ['industry', 'overall'] %}
{{ grouping }} as (

    select
        {% if grouping == 'industry' -%}
        industry,
        industry_key,
        {%- else -%}
        'All industries' as industry,
        'all' as industry_key,
        {%- endif %}
        application_category,
    {%- for name, month in months.items() %}
    count(distinct case when activity_month = trunc({{ month }}, 'MM')
            then concat(customer_key, '/', notebook_id)
        end) as {{ name }}_notebooks,
    count(distinct case when activity_month = trunc({{ month }}, 'MM')
            then customer_key
        end) as {{ name }}_customers{{ ',' if not loop.last }}
    {%- endfor %}

    from categorized
    group by 1, 2, 3

),

{% endfor %}

cells as (

    select
        *,
        least(base_customers, current_customers) as cell_customers

    from (
        select * from industry
        union all
        select * from overall
    ) as all_cells

),

suppressed as (

    {{ suppress_cells('cells', 'cell_customers',
        groups=[['application_category']], tie_breaker='industry_key, application_category') }}

),

final as (

    select
        industry,
        industry_key,
        application_category,
        {{ months.base }} as base_month,
        {{ months.current }} as current_month,
        case when not is_suppressed then base_notebooks end as base_month_notebooks,
        case when not is_suppressed then current_notebooks end as current_month_notebooks,
        case when not is_suppressed then {{ growth('current_notebooks', 'base_notebooks') }} end as yoy_growth,
        case when not is_suppressed then cell_customers end as customers,
        case when not is_suppressed
                then rank() over (
                        partition by industry_key, is_suppressed
                        order by {{ growth('current_notebooks', 'base_notebooks') }} desc
                    )
        end as growth_rank,
        is_suppressed

    from suppressed

)

select * from final
