{#-
    F10. Unified governance adoption: distinct customers with any uc.activity per month
    (uc_month_start .. uc_month_end) and industry, plus the all-industries row (industry_key `all`)
    they add up to: suppression is complementary within a month.
-#}

with

uc_days as (

    select * from {{ ref('int_usage_days') }}
    where usage_kind = 'uc'
        and activity_date between trunc({{ report_date('uc_month_start') }}, 'MM')
        and last_day({{ report_date('uc_month_end') }})

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

uc_months as (

    select distinct
        trunc(uc_days.activity_date, 'MM') as activity_month,
        uc_days.customer_key,
        customer_industry.industry,
        customer_industry.industry_key

    from uc_days
    inner join customer_industry
        on uc_days.customer_key = customer_industry.customer_key

),

cells as (

    -- the industries' cells and the all-industries row in one pass over the customer months
    select
        activity_month,
        if(grouping(industry_key) = 1, 'All industries', industry) as industry,
        if(grouping(industry_key) = 1, 'all', industry_key) as industry_key,
        count(*) as customers
    from uc_months
    -- sqlfluff takes a grouping set for a positional reference (AM06)
    group by grouping sets ((activity_month, industry, industry_key), (activity_month))  -- noqa: AM06

),

suppressed as (

    {{ suppress_cells('cells', 'customers', groups=[['activity_month']], tie_breaker='industry_key') }}

),

final as (

    select
        activity_month,
        industry,
        industry_key,
        case when not is_suppressed then customers end as customers,
        {{ industry_rank('customers desc', partition_by=['activity_month'], ranked_when='not is_suppressed',
            not_ranked=['all', 'other']) }} as industry_rank,
        is_suppressed

    from suppressed

)

select * from final
