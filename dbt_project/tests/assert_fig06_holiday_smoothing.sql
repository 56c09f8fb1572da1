-- fig06: outside the holiday weeks smoothed_customers equals customers; inside the holiday span it
-- is the same for every week of a category, the mean of the category's holiday-week customers, and
-- it is published only when every holiday week of the category is (a published mean next to one
-- suppressed week would give the suppressed count away).

with

fig06 as (

    select * from {{ ref('fig06_llm_library_usage_weekly') }}

),

outside_holidays as (

    select
        llm_category,
        activity_week,
        'smoothed differs from customers outside the holiday span' as failure

    from fig06
    where not is_holiday_week
        and not (smoothed_customers <=> cast(customers as double))

),

holidays as (

    select
        llm_category,
        cast(null as date) as activity_week,
        'holiday weeks differ or are not their mean' as failure

    from fig06
    where is_holiday_week
    group by 1
    having count(distinct smoothed_customers) > 1
        or (count(smoothed_customers) > 0 and count(smoothed_customers) < count(*))
        or abs(max(smoothed_customers) - avg(customers)) > 1e-9

)

select * from outside_holidays
union all
select * from holidays
