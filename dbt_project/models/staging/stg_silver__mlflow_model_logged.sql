with

source as (

    select * from {{ source('silver', 'mlflow_model_logged') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(experiment_id as string) as experiment_id,
        cast(run_id as string) as run_id,
        cast(model_id as string) as model_id,

        -- properties
        cast(cloud as string) as cloud,
        cast(flavor as string) as model_flavor,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
