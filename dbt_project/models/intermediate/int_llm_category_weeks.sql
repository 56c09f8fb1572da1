{#-
    LLM category use per week: one row per (week, customer, LLM category) when the customer used a
    library of the category that week (seed llm_library_categories); any vector search request
    counts as vector_db (report definition F6). Weeks start on Monday.
-#}

with

tool_use as (

    select * from {{ ref('int_tool_use_days') }}

),

llm_libraries as (

    select * from {{ ref('llm_library_categories') }}

),

categorized as (

    select
        tool_use.activity_date,
        tool_use.customer_key,
        llm_libraries.llm_category
    from tool_use
    inner join llm_libraries
        on tool_use.source_type = 'library'
            and tool_use.source_key = llm_libraries.library

    union all

    select
        activity_date,
        customer_key,
        'vector_db' as llm_category
    from tool_use
    where source_type = 'vector_search'

),

final as (

    select
        {{ week_start('activity_date') }} as activity_week,
        customer_key,
        llm_category,
        min(activity_date) as first_day,
        max(activity_date) as last_day,
        count(distinct activity_date) as active_days

    from categorized
    group by 1, 2, 3

)

select * from final
