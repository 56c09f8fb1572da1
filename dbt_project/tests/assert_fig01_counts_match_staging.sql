-- fig01: every published month's experiment / registered model counts (and experimenting /
-- registering companies) equal the counts computed directly from the staging views: distinct
-- (customer_key, model_id) logged and distinct (customer_key, model_name, model_version) registered
-- per month of the window. A window month with MLflow events missing from fig01 fails too.

with

logged as (

    select
        event_month as activity_month,
        count(distinct customer_key, model_id) as experiment_models,
        count(distinct customer_key) as experimenting_customers

    from {{ ref('stg_silver__mlflow_model_logged') }}
    group by 1

),

registered as (

    select
        event_month as activity_month,
        count(distinct customer_key, model_name, model_version) as registered_models,
        count(distinct customer_key) as registering_customers

    from {{ ref('stg_silver__mlflow_model_registered') }}
    group by 1

),

expected as (

    select
        coalesce(logged.activity_month, registered.activity_month) as activity_month,
        coalesce(logged.experiment_models, 0) as experiment_models,
        coalesce(logged.experimenting_customers, 0) as experimenting_customers,
        coalesce(registered.registered_models, 0) as registered_models,
        coalesce(registered.registering_customers, 0) as registering_customers

    from logged
    full outer join registered
        on logged.activity_month = registered.activity_month

),

in_window as (

    select * from expected
    where activity_month between trunc({{ report_date('window_start') }}, 'MM')
        and trunc({{ report_date('window_end') }}, 'MM')

),

fig01 as (

    select * from {{ ref('fig01_models_over_time') }}

)

select
    in_window.activity_month,
    fig01.activity_month as fig01_month,
    in_window.experiment_models as expected_experiment_models,
    fig01.experiment_models,
    in_window.registered_models as expected_registered_models,
    fig01.registered_models,
    in_window.experimenting_customers as expected_experimenting_customers,
    fig01.experimenting_customers,
    in_window.registering_customers as expected_registering_customers,
    fig01.registering_customers

from in_window
full outer join fig01
    on in_window.activity_month = fig01.activity_month
where fig01.activity_month is null
    or in_window.activity_month is null
    or (
        not fig01.is_suppressed
        and (
            fig01.experiment_models != in_window.experiment_models
            or fig01.registered_models != in_window.registered_models
            or fig01.experimenting_customers != in_window.experimenting_customers
            or fig01.registering_customers != in_window.registering_customers
        )
    )
