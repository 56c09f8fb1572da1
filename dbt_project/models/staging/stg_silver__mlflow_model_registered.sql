with

source as (

    select * from {{ source('silver', 'mlflow_model_registered') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(model_name as string) as model_name,

        -- properties
        cast(cloud as string) as cloud,
        cast(version as bigint) as model_version,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
