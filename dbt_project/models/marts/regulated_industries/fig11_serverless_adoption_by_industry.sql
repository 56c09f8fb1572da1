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

cells as (

    -- every cell in one pass over the customer months: per product and industry, per product over
    -- all industries, and the same for any product (distinct customers across products)
    select
        activity_month,
        if(grouping(serverless_product) = 1, 'any', serverless_product) as serverless_product,
        if(grouping(industry_key) = 1, 'All industries', industry) as industry,
        if(grouping(industry_key) = 1, 'all', industry_key) as industry_key,
        count(distinct customer_key) as customers
    from product_months
    -- sqlfluff takes a grouping set for a positional reference (AM06)
    group by grouping sets (
        (activity_month, serverless_product, industry, industry_key),  -- noqa: AM06
        (activity_month, serverless_product),
        (activity_month, industry, industry_key),
        (activity_month)
    )

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
