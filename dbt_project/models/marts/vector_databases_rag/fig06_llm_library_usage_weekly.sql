{#-
    F6. LLM Python library usage: distinct customers per full week (Monday..Sunday inside the
    telemetry period) and LLM category (transformer_training, vector_db incl. any vector search
    request, saas_llm, llm_tools). `smoothed_customers` replaces the weeks starting in the holiday
    span by their mean, as the report's trend lines do. Categories overlap (a customer may use
    several), so nothing adds up and suppression is per cell.
-#}

with

category_weeks as (

    select * from {{ ref('int_llm_category_weeks') }}
    where activity_week >= {{ report_date('telemetry_start') }}
        and date_add(activity_week, 6) <= {{ report_date('telemetry_end') }}

),

weekly as (

    select
        activity_week,
        llm_category,
        count(distinct customer_key) as customers

    from category_weeks
    group by 1, 2

),

smoothed as (

    select
        *,
        activity_week between {{ report_date('holiday_start') }} and {{ report_date('holiday_end') }} as is_holiday_week,
        {{ holiday_smoothed('customers', 'activity_week', ['llm_category']) }} as smoothed_customers

    from weekly

),

suppressed as (

    select
        *,
        sum(case when is_holiday_week and is_suppressed then 1 else 0 end)
            over (partition by llm_category) as suppressed_holiday_weeks

    from (
        {{ suppress_cells('smoothed', 'customers', tie_breaker='activity_week') }}
    ) as cells

),

final as (

    select
        activity_week,
        llm_category,
        case when not is_suppressed then customers end as customers,
        -- the holiday mean is published only when every holiday week is: with one week suppressed,
        -- mean x weeks - the published weeks would give it away
        case when not is_suppressed
                and (not is_holiday_week or suppressed_holiday_weeks = 0)
                then smoothed_customers
        end as smoothed_customers,
        is_holiday_week,
        is_suppressed

    from suppressed

)

select * from final
