{#-
    F3. Top DS/ML applications by industry over the window: the share of application category c
    = distinct notebooks importing a library of c / sum over categories of such notebooks, overall
    (industry_key `all`) and per industry. Categories of an industry add up to 100%, industries of
    a category add up to the overall row: suppression is complementary both ways.
-#}

with

notebook_categories as (

    select * from {{ ref('int_notebook_category_months') }}
    where activity_month between trunc({{ report_date('window_start') }}, 'MM')
        and trunc({{ report_date('window_end') }}, 'MM')

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

by_industry as (

    select
        customer_industry.industry,
        customer_industry.industry_key,
        notebook_categories.application_category,
        count(distinct notebook_categories.customer_key, notebook_categories.notebook_id) as notebooks,
        count(distinct notebook_categories.customer_key) as customers

    from notebook_categories
    inner join customer_industry
        on notebook_categories.customer_key = customer_industry.customer_key
    group by 1, 2, 3

),

overall as (

    select
        'All industries' as industry,
        'all' as industry_key,
        application_category,
        count(distinct customer_key, notebook_id) as notebooks,
        count(distinct customer_key) as customers

    from notebook_categories
    group by 1, 2, 3

),

cells as (

    select
        *,
        cast(notebooks as double) / sum(notebooks) over (partition by industry_key) as notebook_share

    from (
        select * from by_industry
        union all
        select * from overall
    ) as all_cells

),

suppressed as (

    {{ suppress_cells('cells', 'customers',
        groups=[['application_category'], ['industry_key']], tie_breaker='industry_key, application_category') }}

),

final as (

    select
        industry,
        industry_key,
        application_category,
        case when not is_suppressed then notebooks end as notebooks,
        case when not is_suppressed then notebook_share end as notebook_share,
        case when not is_suppressed then customers end as customers,
        case when not is_suppressed
                then rank() over (partition by industry_key, is_suppressed order by notebooks desc)
        end as share_rank,
        is_suppressed

    from suppressed

)

select * from final
