{#-
    F7. Open-model usage on the foundation-model API over the foundation-model period: requests and
    distinct customers per week (Monday start; the period's first and last weeks may be partial,
    see is_full_week) and open model (seed foundation_models, open_weights), with each model's
    share of the week's open-model requests. Models of a week add up to the week's total, so
    suppression is complementary within a week.
-#}

with

fm_days as (

    select * from {{ ref('int_fm_api_days') }}
    where activity_date between {{ report_date('fm_period_start') }} and {{ report_date('fm_period_end') }}

),

open_models as (

    select * from {{ ref('foundation_models') }}
    where open_weights

),

weekly as (

    select
        {{ week_start('fm_days.activity_date') }} as activity_week,
        open_models.model,
        open_models.family as model_family,
        open_models.parameters_billion,
        sum(fm_days.request_count) as request_count,
        count(distinct fm_days.customer_key) as customers,
        count(distinct fm_days.activity_date) as days

    from fm_days
    inner join open_models
        on fm_days.model = open_models.model
    group by 1, 2, 3, 4

),

cells as (

    select
        *,
        cast(request_count as double) / sum(request_count) over (partition by activity_week) as open_request_share,
        activity_week >= {{ report_date('fm_period_start') }}
        and date_add(activity_week, 6) <= {{ report_date('fm_period_end') }} as is_full_week

    from weekly

),

suppressed as (

    {{ suppress_cells('cells', 'customers', groups=[['activity_week']], tie_breaker='model') }}

),

final as (

    select
        activity_week,
        model,
        model_family,
        parameters_billion,
        case when not is_suppressed then request_count end as request_count,
        case when not is_suppressed then customers end as customers,
        case when not is_suppressed then open_request_share end as open_request_share,
        is_full_week,
        is_suppressed

    from suppressed

)

select * from final
