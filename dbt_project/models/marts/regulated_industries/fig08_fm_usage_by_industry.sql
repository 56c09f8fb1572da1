{#-
    F8. Foundation-model API usage by industry over the quarter (quarter_start .. quarter_end):
    average requests per customer = the industry's total requests / its distinct customers with
    requests. Industries add up to the all-customers total: suppression is complementary.
-#}

with

fm_days as (

    select * from {{ ref('int_fm_api_days') }}
    where activity_date between {{ report_date('quarter_start') }} and {{ report_date('quarter_end') }}

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

by_industry as (

    select
        customer_industry.industry,
        customer_industry.industry_key,
        sum(fm_days.request_count) as request_count,
        count(distinct fm_days.customer_key) as customers

    from fm_days
    inner join customer_industry
        on fm_days.customer_key = customer_industry.customer_key
    group by 1, 2

),

suppressed as (

    {{ suppress_cells('by_industry', 'customers', groups=[[]], tie_breaker='industry_key') }}

),

final as (

    select
        industry,
        industry_key,
        case when not is_suppressed then request_count end as request_count,
        case when not is_suppressed then customers end as customers,
        case when not is_suppressed then {{ safe_ratio('request_count', 'customers') }} end as requests_per_customer,
        {{ industry_rank(safe_ratio('request_count', 'customers') ~ ' desc', ranked_when='not is_suppressed') }}
            as requests_per_customer_rank,
        is_suppressed

    from suppressed

)

select * from final
