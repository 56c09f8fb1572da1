{#-
    The figures' headline numbers that are not a cell of a figure mart: growths across months or
    weeks, spans and ranks the report's text quotes. One row per (figure, measure, industry,
    subject), in long form. A value needs every cell it is built from published and at least k
    customers behind it: else it is suppressed (null and flagged), like a cell. `customers` is the
    smallest customer count behind the value.

    F1  YoY (yoy_current_month vs yoy_base_month) of experiment / registered models, experimenting /
        registering customers and models per customer.
    F2  per industry: the ratio over the recent span (f2_recent_start .. f2_recent_end) and its rank
        among the six industries (1 = lowest ratio, the most efficient), the ratio in
        ratio_first_month and ratio_last_month.
    F6  per LLM category: weekly YoY (mean of the last weekly_yoy_weeks full weeks ending by
        weekly_yoy_end vs the same weeks 52 weeks earlier) and growth since the week holding
        vector_search_preview.
    F7  requests of the f7_model_family models of <= small_model_max_parameters_billion over those
        of its larger models, over the foundation-model period.
    F11 per industry (any serverless product): 6-month growth of monthly customers, and the
        industry's rank (among the six; Other has none) by customers in yoy_base_month and in
        yoy_current_month.
-#}

{%- set yoy = weekly_yoy_span() %}

with

fig01 as (

    select * from {{ ref('fig01_models_over_time') }}

),

fig02 as (

    select * from {{ ref('fig02_model_ratio_by_industry') }}

),

fig06 as (

    select * from {{ ref('fig06_llm_library_usage_weekly') }}

),

fig11 as (

    select * from {{ ref('fig11_serverless_adoption_by_industry') }}
    where serverless_product = 'any' and industry_key != 'all'

),

-- F1 ------------------------------------------------------------------------------------------

{%- set f1_measures = [
    'experiment_models', 'registered_models', 'experimenting_customers', 'registering_customers',
    'experiment_models_per_customer', 'registered_models_per_customer',
] %}

f1_months as (

    select
        {%- for measure in f1_measures %}
        max(case when activity_month = {{ report_date('yoy_current_month') }} then {{ measure }} end) as current_{{ measure }},
        max(case when activity_month = {{ report_date('yoy_base_month') }} then {{ measure }} end) as base_{{ measure }},
        {%- endfor %}
        -- both months must be published (min() alone would skip a suppressed month's null)
        case when count(case when activity_month in ({{ report_date('yoy_current_month') }}, {{ report_date('yoy_base_month') }})
                        and not is_suppressed then 1
                end) = 2
                then min(case when activity_month in ({{ report_date('yoy_current_month') }}, {{ report_date('yoy_base_month') }})
                            then registering_customers
                    end)
        end as customers

    from fig01

),

f1 as (

    {%- for measure in f1_measures %}
    select
        'F1' as figure_id,
        '{{ measure }}_yoy' as measure,
        'all' as industry_key,
        'all' as subject,
        {{ growth('current_' ~ measure, 'base_' ~ measure) }} as value,
        'growth' as unit,
        customers
    from f1_months
    {{ 'union all' if not loop.last }}
    {%- endfor %}

),

-- F2 ------------------------------------------------------------------------------------------

f2_span as (

    select
        industry_key,
        -- a span with a suppressed month is not published
        case when max(cast(is_suppressed as int)) = 0
                then {{ safe_ratio('sum(experiment_models)', 'sum(registered_models)') }}
        end as ratio,
        case when max(cast(is_suppressed as int)) = 0 then min(registering_customers) end as customers

    from fig02
    where activity_month between trunc({{ report_date('f2_recent_start') }}, 'MM')
        and trunc({{ report_date('f2_recent_end') }}, 'MM')
    group by 1

),

f2 as (

    select
        'F2' as figure_id,
        'ratio_recent_span' as measure,
        industry_key,
        'all' as subject,
        ratio as value,
        'ratio' as unit,
        customers
    from f2_span

    union all

    select
        'F2' as figure_id,
        'ratio_recent_span_rank' as measure,
        industry_key,
        'all' as subject,
        cast({{ industry_rank('ratio', ranked_when='ratio is not null') }} as double) as value,
        'rank' as unit,
        customers
    from f2_span

    union all

    select
        'F2' as figure_id,
        case when activity_month = {{ report_date('ratio_first_month') }}
                then 'ratio_first_month'
            else 'ratio_last_month'
        end as measure,
        industry_key,
        'all' as subject,
        experiment_to_registered_ratio as value,
        'ratio' as unit,
        registering_customers as customers
    from fig02
    where activity_month in ({{ report_date('ratio_first_month') }}, {{ report_date('ratio_last_month') }})

),

-- F6 ------------------------------------------------------------------------------------------

f6_spans as (

    select
        llm_category,
        avg(case when activity_week between {{ yoy.current_first }} and {{ yoy.current_last }}
                then customers
        end) as current_mean,
        avg(case when activity_week between {{ yoy.base_first }} and {{ yoy.base_last }}
                then customers
        end) as base_mean,
        max(case when activity_week = {{ week_of('vector_search_preview') }} then customers end) as preview_week,
        sum(case when activity_week between {{ yoy.current_first }} and {{ yoy.current_last }}
                and not is_suppressed then 1
            else 0
        end) as current_weeks,
        sum(case when activity_week between {{ yoy.base_first }} and {{ yoy.base_last }}
                and not is_suppressed then 1
            else 0
        end) as base_weeks,
        min(case when activity_week between {{ yoy.current_first }} and {{ yoy.current_last }}
                then customers
        end) as current_customers,
        min(case when activity_week between {{ yoy.base_first }} and {{ yoy.base_last }}
                then customers
        end) as base_customers

    from fig06
    group by 1

),

f6 as (

    select
        'F6' as figure_id,
        'weekly_yoy' as measure,
        'all' as industry_key,
        llm_category as subject,
        {{ growth('current_mean', 'base_mean') }} as value,
        'growth' as unit,
        -- every week of both spans must be there and published
        case when current_weeks = {{ var('weekly_yoy_weeks') }} and base_weeks = {{ var('weekly_yoy_weeks') }}
                then least(current_customers, base_customers)
        end as customers
    from f6_spans

    union all

    select
        'F6' as figure_id,
        'growth_since_preview_week' as measure,
        'all' as industry_key,
        llm_category as subject,
        {{ growth('current_mean', 'preview_week') }} as value,
        'growth' as unit,
        case when current_weeks = {{ var('weekly_yoy_weeks') }} and preview_week is not null
                then least(current_customers, preview_week)
        end as customers
    from f6_spans

),

-- F7 ------------------------------------------------------------------------------------------

f7_requests as (

    select
        fm_days.customer_key,
        fm_days.request_count,
        foundation_models.parameters_billion <= {{ var('small_model_max_parameters_billion') }} as is_small

    from {{ ref('int_fm_api_days') }} as fm_days
    inner join {{ ref('foundation_models') }} as foundation_models
        on fm_days.model = foundation_models.model
    where foundation_models.family = '{{ var("f7_model_family") }}'
        and fm_days.activity_date between {{ report_date('fm_period_start') }} and {{ report_date('fm_period_end') }}

),

f7 as (

    select
        'F7' as figure_id,
        'small_to_large_requests' as measure,
        'all' as industry_key,
        '{{ var("f7_model_family") }}' as subject,
        {{ safe_ratio(
            'sum(case when is_small then request_count end)',
            'sum(case when not is_small then request_count end)',
        ) }} as value,
        'ratio' as unit,
        least(
            count(distinct case when is_small then customer_key end),
            count(distinct case when not is_small then customer_key end)
        ) as customers

    from f7_requests

),

-- F11 -----------------------------------------------------------------------------------------

f11_months as (

    select
        industry_key,
        max(case when activity_month = {{ report_date('yoy_current_month') }} then customers end) as current_customers,
        max(case when activity_month = {{ report_date('six_month_base_month') }} then customers end) as six_month_base_customers,
        max(case when activity_month = {{ report_date('yoy_base_month') }} then customers end) as yoy_base_customers

    from fig11
    group by 1

),

f11 as (

    select
        'F11' as figure_id,
        'six_month_growth' as measure,
        industry_key,
        'any' as subject,
        {{ growth('current_customers', 'six_month_base_customers') }} as value,
        'growth' as unit,
        -- least() skips nulls: a suppressed month must make the growth suppressed
        case when current_customers is not null and six_month_base_customers is not null
                then least(current_customers, six_month_base_customers)
        end as customers
    from f11_months

    {%- for measure, column in {'rank_current_month': 'current_customers', 'rank_yoy_base_month': 'yoy_base_customers'}.items() %}

    union all

    select
        'F11' as figure_id,
        '{{ measure }}' as measure,
        industry_key,
        'any' as subject,
        cast({{ industry_rank(column ~ ' desc', ranked_when=column ~ ' is not null') }} as double),
        'rank' as unit,
        {{ column }} as customers
    from f11_months
    {%- endfor %}

),

highlights as (

    select * from f1
    union all
    select * from f2
    union all
    select * from f6
    union all
    select * from f7
    union all
    select * from f11

),

final as (

    select
        figure_id,
        measure,
        industry_key,
        subject,
        case when customers >= {{ suppression_min_customers() }} then cast(value as double) end as value,
        unit,
        case when customers >= {{ suppression_min_customers() }} then cast(customers as bigint) end as customers,
        coalesce(customers, 0) < {{ suppression_min_customers() }} as is_suppressed

    from highlights

)

select * from final
