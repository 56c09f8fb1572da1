{#-
    F9. Model serving, CPU vs GPU, by industry: average usage hours per customer over the quarter
    (the industry's total hours / its distinct customers with such usage), and the 6-month growth
    of the industry's total hours (yoy_current_month / six_month_base_month - 1; K10 on GPU).
    Industries of a compute type add up to its total: suppression is complementary.
-#}

{%- set months = {'base': report_date('six_month_base_month'), 'current': report_date('yoy_current_month')} %}

with

serving_days as (

    select * from {{ ref('int_usage_days') }}
    where usage_kind = 'serving'

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

by_industry as (

    select
        customer_industry.industry,
        customer_industry.industry_key,
        serving_days.usage_item as compute_type,
        {%- set in_quarter = 'serving_days.activity_date between ' ~ report_date('quarter_start') ~ ' and ' ~ report_date('quarter_end') %}
        sum(case when {{ in_quarter }} then serving_days.quantity end) as quarter_usage_hours,
        count(distinct case when {{ in_quarter }} and serving_days.quantity > 0
                then serving_days.customer_key
        end) as quarter_customers,
    {%- for name, month in months.items() %}
    sum(case when trunc(serving_days.activity_date, 'MM') = trunc({{ month }}, 'MM')
            then serving_days.quantity
        end) as {{ name }}_month_usage_hours,
    count(distinct case when trunc(serving_days.activity_date, 'MM') = trunc({{ month }}, 'MM')
            and serving_days.quantity > 0 then serving_days.customer_key
        end) as {{ name }}_month_customers{{ ',' if not loop.last }}
    {%- endfor %}

    from serving_days
    inner join customer_industry
        on serving_days.customer_key = customer_industry.customer_key
    group by 1, 2, 3

),

cells as (

    select
        *,
        least(quarter_customers, base_month_customers, current_month_customers) as cell_customers

    from by_industry

),

suppressed as (

    {{ suppress_cells('cells', 'cell_customers', groups=[['compute_type']], tie_breaker='industry_key') }}

),

final as (

    select
        industry,
        industry_key,
        compute_type,
        case when not is_suppressed then quarter_usage_hours end as usage_hours,
        case when not is_suppressed then quarter_customers end as customers,
        case when not is_suppressed
                then {{ safe_ratio('quarter_usage_hours', 'quarter_customers') }}
        end as usage_hours_per_customer,
        case when not is_suppressed then base_month_usage_hours end as base_month_usage_hours,
        case when not is_suppressed then current_month_usage_hours end as current_month_usage_hours,
        case when not is_suppressed
                then {{ growth('current_month_usage_hours', 'base_month_usage_hours') }}
        end as six_month_growth,
        {{ industry_rank(growth('current_month_usage_hours', 'base_month_usage_hours') ~ ' desc',
            partition_by=['compute_type'], ranked_when='not is_suppressed') }} as six_month_growth_rank,
        is_suppressed

    from suppressed

)

select * from final
