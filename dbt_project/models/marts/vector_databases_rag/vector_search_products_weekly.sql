{#-
    Beyond the report (seeds 000-003): distinct customers per full week and vector-search product:
    vector-database client libraries (seed llm_library_categories, vector_db_product) and the
    platform's own vector search (any vector_search.request). Products overlap: per-cell suppression.
-#}

with

tool_use as (

    select * from {{ ref('int_tool_use_days') }}
    where activity_date >= {{ report_date('telemetry_start') }}

),

vector_db_libraries as (

    select * from {{ ref('llm_library_categories') }}
    where vector_db_product is not null

),

product_days as (

    select
        tool_use.activity_date,
        tool_use.customer_key,
        vector_db_libraries.vector_db_product as product,
        'client_library' as product_kind
    from tool_use
    inner join vector_db_libraries
        on tool_use.source_type = 'library'
            and tool_use.source_key = vector_db_libraries.library

    union all

    select
        activity_date,
        customer_key,
        'Platform vector search' as product,
        'platform' as product_kind
    from tool_use
    where source_type = 'vector_search'

),

weekly as (

    select
        {{ week_start('activity_date') }} as activity_week,
        product,
        product_kind,
        count(distinct customer_key) as customers

    from product_days
    group by 1, 2, 3

),

full_weeks as (

    select * from weekly
    where activity_week >= {{ report_date('telemetry_start') }}
        and date_add(activity_week, 6) <= {{ report_date('telemetry_end') }}

),

suppressed as (

    {{ suppress_cells('full_weeks', 'customers', tie_breaker='product') }}

),

final as (

    select
        activity_week,
        product,
        product_kind,
        case when not is_suppressed then customers end as customers,
        is_suppressed

    from suppressed

)

select * from final
