{#-
    Customer-month MLflow activity: experiment models (distinct model_id logged) and registered
    models (distinct model_name + version registered) per customer and calendar month (UTC).
    Incremental: a month that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_month', 'customer_key'],
    )
}}

{%- set sources = [ref('stg_silver__mlflow_model_logged'), ref('stg_silver__mlflow_model_registered')] %}
{%- set periods = changed_periods(sources, 'event_month') %}

with

logged as (

    select * from {{ ref('stg_silver__mlflow_model_logged') }}
    {{ periods_filter(periods) }}

),

registered as (

    select * from {{ ref('stg_silver__mlflow_model_registered') }}
    {{ periods_filter(periods) }}

),

experiment_models as (

    select
        event_month as activity_month,
        customer_key,
        count(distinct model_id) as experiment_models

    from logged
    group by 1, 2

),

registered_models as (

    select
        event_month as activity_month,
        customer_key,
        count(distinct model_name, model_version) as registered_models

    from registered
    group by 1, 2

),

final as (

    select
        coalesce(experiment_models.activity_month, registered_models.activity_month) as activity_month,
        coalesce(experiment_models.customer_key, registered_models.customer_key) as customer_key,
        coalesce(experiment_models.experiment_models, 0) as experiment_models,
        coalesce(registered_models.registered_models, 0) as registered_models,
        {{ refined_through() }} as refined_through

    from experiment_models
    full outer join registered_models
        on experiment_models.activity_month = registered_models.activity_month
            and experiment_models.customer_key = registered_models.customer_key

)

select * from final
