{#-
    F1. Experiment vs registered models over time, all customers, per month of the window.
    Experiment models: distinct (customer, model_id) logged in the month; registered models:
    distinct (customer, model_name, version) registered in the month; ratio = experiment /
    registered; companies: customers with at least one such event; per company = models / companies.
-#}

with

customer_months as (

    select * from {{ ref('int_mlflow_customer_months') }}
    where activity_month between trunc({{ report_date('window_start') }}, 'MM')
        and trunc({{ report_date('window_end') }}, 'MM')

),

monthly as (

    select
        activity_month,
        sum(experiment_models) as experiment_models,
        sum(registered_models) as registered_models,
        sum(case when experiment_models > 0 then 1 else 0 end) as experimenting_customers,
        sum(case when registered_models > 0 then 1 else 0 end) as registering_customers

    from customer_months
    group by 1

),

cells as (

    select
        *,
        least(experimenting_customers, registering_customers) as cell_customers

    from monthly

),

suppressed as (

    {{ suppress_cells('cells', 'cell_customers', tie_breaker='activity_month') }}

),

final as (

    select
        activity_month,
        case when not is_suppressed then experiment_models end as experiment_models,
        case when not is_suppressed then registered_models end as registered_models,
        case when not is_suppressed
                then {{ safe_ratio('experiment_models', 'registered_models') }}
        end as experiment_to_registered_ratio,
        case when not is_suppressed then experimenting_customers end as experimenting_customers,
        case when not is_suppressed then registering_customers end as registering_customers,
        case when not is_suppressed
                then {{ safe_ratio('experiment_models', 'experimenting_customers') }}
        end as experiment_models_per_customer,
        case when not is_suppressed
                then {{ safe_ratio('registered_models', 'registering_customers') }}
        end as registered_models_per_customer,
        is_suppressed

    from suppressed

)

select * from final
