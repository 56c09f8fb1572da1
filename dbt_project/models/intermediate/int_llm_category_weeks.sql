{#-
    LLM category use per week: one row per (week, customer, LLM category) when the customer used
    the category that week (int_llm_category_days). Weeks start on Monday.
-#}

with

category_days as (

    select * from {{ ref('int_llm_category_days') }}

),

final as (

    select
        {{ week_start('activity_date') }} as activity_week,
        customer_key,
        llm_category,
        min(activity_date) as first_day,
        max(activity_date) as last_day,
        count(distinct activity_date) as active_days

    from category_days
    group by 1, 2, 3

)

select * from final
