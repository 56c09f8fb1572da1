{#-
    F2. Experiment-to-registered model ratio by industry and month over the window (definitions
    as F1, per industry of the newest accounts snapshot). Industries of a month add up to F1's
    month, so suppression is complementary within the month.
-#}

with

customer_months as (

    select * from {{ ref('int_mlflow_customer_months') }}
    where activity_month between trunc({{ report_date('window_start') }}, 'MM')
        and trunc({{ report_date('window_end') }}, 'MM')

),

customer_industry as (

    select * from {{ ref('int_customer_industry') }}

),

monthly as (

    select
        customer_industry.industry,
        customer_industry.industry_key,
        customer_months.activity_month,
        sum(customer_months.experiment_models) as experiment_models,
        sum(customer_months.registered_models) as registered_models,
        sum(case when customer_months.experiment_models > 0 then 1 else 0 end) as experimenting_customers,
        sum(case when customer_months.registered_models > 0 then 1 else 0 end) as registering_customers

    from customer_months
    inner join customer_industry
        on customer_months.customer_key = customer_industry.customer_key
    group by 1, 2, 3

),

cells as (

    select
        *,
        least(experimenting_customers, registering_customers) as cell_customers

    from monthly

),

suppressed as (

    {{ suppress_cells('cells', 'cell_customers', groups=[['activity_month']], tie_breaker='industry_key') }}

),

final as (

    select
        industry,
        industry_key,
        activity_month,
        case when not is_suppressed then experiment_models end as experiment_models,
        case when not is_suppressed then registered_models end as registered_models,
        case when not is_suppressed
                then {{ safe_ratio('experiment_models', 'registered_models') }}
        end as experiment_to_registered_ratio,
        case when not is_suppressed then experimenting_customers end as experimenting_customers,
        case when not is_suppressed then registering_customers end as registering_customers,
        is_suppressed

    from suppressed

)

select * from final
