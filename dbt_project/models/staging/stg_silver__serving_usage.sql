with

source as (

    select * from {{ source('silver', 'serving_usage') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(endpoint_id as string) as endpoint_id,

        -- properties
        cast(cloud as string) as cloud,
        cast(compute as string) as compute_type,
        cast(usage_hours as double) as usage_hours,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
