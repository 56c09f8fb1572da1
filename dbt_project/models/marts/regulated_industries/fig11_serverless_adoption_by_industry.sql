{#-
    F11. Serverless adoption: distinct customers with any serverless.usage per month of the window
    and industry, for every serverless product and for any of them (serverless_product `any`), plus
    the all-industries rows (industry_key `all`). Industries of a month and product add up to the
    all-industries row: suppression is complementary there. Growth and ranks: figure_highlights.
-#}

with

serverless_days as (

    select * from {{ ref('int_usage_days') }}
    where usage_kind = 'serverless'
        and activity_date between trunc({{ report_date('window_start') }}, 'MM') and {{ report_date('window_end') }}

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

product_months as (

    select distinct
        trunc(serverless_days.activity_date, 'MM') as activity_month,
        serverless_days.usage_item as serverless_product,
        serverless_days.customer_key,
        customer_industry.industry,
        customer_industry.industry_key

    from serverless_days
    inner join customer_industry
        on serverless_days.customer_key = customer_industry.customer_key

),

any_product_months as (

    select distinct
        activity_month,
        'any' as serverless_product,
        customer_key,
        industry,
        industry_key
    from product_months

),

customer_months as (

    select * from product_months
    union all
    select * from any_product_months

),

cells as (

    select
        activity_month,
        serverless_product,
        industry,
        industry_key,
        count(*) as customers
    from customer_months
    group by 1, 2, 3, 4

    union all

    select
        activity_month,
        serverless_product,
        'All industries' as industry,
        'all' as industry_key,
        count(*) as customers
    from customer_months
    group by 1, 2, 3, 4

),

suppressed as (

    {{ suppress_cells('cells', 'customers', groups=[['activity_month', 'serverless_product']],
        tie_breaker='industry_key') }}

),

final as (

    select
        activity_month,
        serverless_product,
        industry,
        industry_key,
        case when not is_suppressed then customers end as customers,
        is_suppressed

    from suppressed

)

select * from final
