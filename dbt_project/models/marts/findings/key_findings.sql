{#-
    The report's key findings in long form: one row per (finding, measure), the headline measure
    flagged. What each finding means, its window, figure, measures and units are defined once, in
    key_findings.yml (meta.key_findings); this model computes them. A finding that quotes a
    figure's number selects it from the figure's mart or from figure_highlights; the findings
    that are counts of their own read the intermediate models. A value built from a suppressed
    cell, or from fewer than k customers, is null.
-#}

{%- set k = suppression_min_customers() %}

with

fig01 as (

    select * from {{ ref('fig01_models_over_time') }}

),

fig03 as (

    select * from {{ ref('fig03_application_share_by_industry') }}
    where industry_key = 'all'

),

fig04 as (

    select * from {{ ref('fig04_application_growth_by_industry') }}
    where industry_key = 'all'

),

fig05 as (

    select * from {{ ref('fig05_top_products') }}

),

fig09 as (

    select * from {{ ref('fig09_serving_by_industry') }}
    where compute_type = 'gpu'

),

highlights as (

    select * from {{ ref('figure_highlights') }}

),

llm_category_days as (

    select * from {{ ref('int_llm_category_days') }}

),

fm_days as (

    select * from {{ ref('int_fm_api_days') }}

),

foundation_models as (

    select * from {{ ref('foundation_models') }}

),

-- K1, K2 --------------------------------------------------------------------------------------

-- K1 quotes F1's registered-models YoY as figure_highlights publishes it (value, suppression and
-- customers); its multiple is that growth + 1, and the two months' counts are fig01's cells.
k1_yoy as (

    select
        highlights.value as registered_yoy,
        highlights.customers
    from (select 'registered_models_yoy' as measure) as k1_subject
    left join highlights
        on highlights.figure_id = 'F1'
            and highlights.measure = k1_subject.measure
            and highlights.industry_key = 'all'

),

k1_k2_months as (

    select
        max(case when activity_month = {{ report_date('yoy_current_month') }} then registered_models end) as current_registered,
        max(case when activity_month = {{ report_date('yoy_base_month') }} then registered_models end) as base_registered,
        max(case when activity_month = {{ report_date('ratio_first_month') }} then experiment_to_registered_ratio end) as first_ratio,
        max(case when activity_month = {{ report_date('ratio_last_month') }} then experiment_to_registered_ratio end) as last_ratio,
        -- both months must be published (min() alone would skip a suppressed month's null)
        case when count(case when activity_month in ({{ report_date('ratio_first_month') }}, {{ report_date('ratio_last_month') }})
                        and not is_suppressed then 1
                end) = 2
                then min(case when activity_month in ({{ report_date('ratio_first_month') }}, {{ report_date('ratio_last_month') }})
                            then registering_customers
                    end)
        end as k2_customers

    from fig01

),

k1_k2 as (

    select
        'K1' as finding_id,
        'registered_models_multiple' as measure,
        true as is_headline,
        k1_yoy.registered_yoy + 1 as value,
        'multiple' as unit,
        cast(k1_k2_months.current_registered as double) as numerator,
        cast(k1_k2_months.base_registered as double) as denominator,
        k1_yoy.customers
    from k1_yoy
    cross join k1_k2_months

    union all

    select
        'K1',
        'registered_models_yoy',
        false,
        k1_yoy.registered_yoy,
        'growth',
        cast(k1_k2_months.current_registered as double),
        cast(k1_k2_months.base_registered as double),
        k1_yoy.customers
    from k1_yoy
    cross join k1_k2_months

    union all

    select
        'K2',
        'ratio_first_month',
        false,
        first_ratio,
        'ratio',
        null,
        null,
        k2_customers
    from k1_k2_months

    union all

    select
        'K2',
        'ratio_last_month',
        false,
        last_ratio,
        'ratio',
        null,
        null,
        k2_customers
    from k1_k2_months

    union all

    select
        'K2',
        'efficiency_multiple',
        true,
        {{ safe_ratio('first_ratio', 'last_ratio') }},
        'multiple',
        first_ratio,
        last_ratio,
        k2_customers
    from k1_k2_months

),

-- K3 ------------------------------------------------------------------------------------------

-- A finding about one subject (a category, a product, an industry) reads its figure's row through
-- a left join from the subject: a subject without a row (no customer used it yet) still gives the
-- finding its rows, suppressed, as every key finding has one headline.
k3_subject as (

    select '{{ var("k3_application_category") }}' as application_category

),

k3 as (

    select
        'K3' as finding_id,
        'category_share' as measure,
        true as is_headline,
        fig03.notebook_share as value,
        'share' as unit,
        cast(fig03.notebooks as double) as numerator,
        null as denominator,
        fig03.customers
    from k3_subject
    left join fig03 on fig03.application_category = k3_subject.application_category

    union all

    select
        'K3',
        'category_yoy_growth',
        false,
        fig04.yoy_growth,
        'growth',
        cast(fig04.current_month_notebooks as double),
        cast(fig04.base_month_notebooks as double),
        fig04.customers
    from k3_subject
    left join fig04 on fig04.application_category = k3_subject.application_category

    union all

    select
        'K3',
        'category_growth_rank',
        false,
        cast(fig04.growth_rank as double),
        'rank',
        null,
        null,
        fig04.customers
    from k3_subject
    left join fig04 on fig04.application_category = k3_subject.application_category

),

-- K4 ------------------------------------------------------------------------------------------

window_llm_use as (

    select distinct
        customer_key,
        llm_category
    from llm_category_days
    where activity_date between {{ report_date('window_start') }} and {{ report_date('window_end') }}

    union

    select distinct
        customer_key,
        'fm_api' as llm_category
    from fm_days
    where activity_date between {{ report_date('window_start') }} and {{ report_date('window_end') }}

),

genai_customers as (

    select
        customer_key,
        max(case when llm_category in ('llm_tools', 'vector_db') then 1 else 0 end) as uses_tools_or_retrieval

    from window_llm_use
    where llm_category in ('saas_llm', 'llm_tools', 'vector_db', 'fm_api')
    group by 1

),

k4 as (

    select
        'K4' as finding_id,
        'tools_or_vector_db_share' as measure,
        true as is_headline,
        {{ safe_ratio('sum(uses_tools_or_retrieval)', 'count(*)') }} as value,
        'share' as unit,
        cast(sum(uses_tools_or_retrieval) as double) as numerator,
        cast(count(*) as double) as denominator,
        least(sum(uses_tools_or_retrieval), count(*) - sum(uses_tools_or_retrieval)) as customers
    from genai_customers

),

-- K5, K6 --------------------------------------------------------------------------------------

k5_k6 as (

    select
        'K5' as finding_id,
        'product_rank' as measure,
        true as is_headline,
        cast(fig05.customer_rank as double) as value,
        'rank' as unit,
        null as numerator,
        null as denominator,
        fig05.customers
    from (select '{{ var("k5_product") }}' as product) as k5_subject
    left join fig05 on fig05.product = k5_subject.product

    union all

    select
        'K6',
        'vector_db_weekly_yoy',
        true,
        highlights.value,
        'growth',
        null,
        null,
        highlights.customers
    from (select 'vector_db' as subject) as k6_subject
    left join highlights
        on highlights.figure_id = 'F6' and highlights.measure = 'weekly_yoy'
            and highlights.subject = k6_subject.subject

),

-- K7, K8, K9 ----------------------------------------------------------------------------------

period_fm as (

    select
        fm_days.*,
        foundation_models.open_weights,
        foundation_models.parameters_billion,
        foundation_models.family
    from fm_days
    left join foundation_models
        on fm_days.model = foundation_models.model
    where fm_days.activity_date between {{ report_date('fm_period_start') }} and {{ report_date('fm_period_end') }}

),

llm_customers as (

    select
        customer_key,
        max(case when open_weights then 1 else 0 end) as uses_open_model,
        max(case when open_weights and parameters_billion <= {{ var('small_model_max_parameters_billion') }}
                then 1
            else 0
        end) as uses_small_open_model

    from (
        select
            customer_key,
            open_weights,
            parameters_billion
        from period_fm

        union all

        select
            customer_key,
            false as open_weights,
            null as parameters_billion
        from llm_category_days
        where llm_category = 'saas_llm'
            and activity_date between {{ report_date('fm_period_start') }} and {{ report_date('fm_period_end') }}
    ) as llm_use
    group by 1

),

k9_requests as (

    select
        sum(case when family = '{{ var("k9_model_family") }}' then request_count end) as family_requests,
        sum(request_count) as open_requests,
        count(distinct case when family = '{{ var("k9_model_family") }}' then customer_key end) as family_customers,
        count(distinct customer_key) as open_customers

    from period_fm
    where open_weights
        and activity_date between {{ report_date('k9_week_start') }} and {{ report_date('k9_week_end') }}

),

k7_k8_k9 as (

    select
        'K7' as finding_id,
        'open_model_share' as measure,
        true as is_headline,
        {{ safe_ratio('sum(uses_open_model)', 'count(*)') }} as value,
        'share' as unit,
        cast(sum(uses_open_model) as double) as numerator,
        cast(count(*) as double) as denominator,
        least(sum(uses_open_model), count(*) - sum(uses_open_model)) as customers
    from llm_customers

    union all

    select
        'K8',
        'small_open_model_share',
        true,
        {{ safe_ratio('sum(uses_small_open_model)', 'sum(uses_open_model)') }},
        'share',
        cast(sum(uses_small_open_model) as double),
        cast(sum(uses_open_model) as double),
        least(sum(uses_small_open_model), sum(uses_open_model) - sum(uses_small_open_model))
    from llm_customers

    union all

    select
        'K9',
        'family_request_share',
        true,
        {{ safe_ratio('family_requests', 'open_requests') }},
        'share',
        cast(family_requests as double),
        cast(open_requests as double),
        least(family_customers, open_customers - family_customers)
    from k9_requests

),

-- K10 -----------------------------------------------------------------------------------------

k10_subject as (

    select '{{ var("k10_industry_key") }}' as industry_key

),

k10 as (

    select
        'K10' as finding_id,
        'gpu_six_month_growth' as measure,
        true as is_headline,
        fig09.six_month_growth as value,
        'growth' as unit,
        fig09.current_month_usage_hours as numerator,
        fig09.base_month_usage_hours as denominator,
        fig09.customers
    from k10_subject
    left join fig09 on fig09.industry_key = k10_subject.industry_key

    union all

    select
        'K10',
        'gpu_growth_rank',
        false,
        cast(fig09.six_month_growth_rank as double),
        'rank',
        null,
        null,
        fig09.customers
    from k10_subject
    left join fig09 on fig09.industry_key = k10_subject.industry_key

),

findings as (

    select * from k1_k2
    union all
    select * from k3
    union all
    select * from k4
    union all
    select * from k5_k6
    union all
    select * from k7_k8_k9
    union all
    select * from k10

),

final as (

    select
        finding_id,
        measure,
        is_headline,
        case when customers >= {{ k }} then cast(value as double) end as value,
        unit,
        case when customers >= {{ k }} then cast(numerator as double) end as numerator,
        case when customers >= {{ k }} then cast(denominator as double) end as denominator,
        case when customers >= {{ k }} then cast(customers as bigint) end as customers,
        coalesce(customers, 0) < {{ k }} as is_suppressed

    from findings

)

select * from final
