with

source as (

    select * from {{ source('silver', 'integration_used') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,

        -- properties
        cast(cloud as string) as cloud,
        cast(product as string) as integration_key,

        -- timestamps (UTC)
        cast(event_ts as timestamp) as event_at,
        cast(event_date as date) as event_date,
        cast(event_month as date) as event_month,

        -- lineage (the raw payload stays in silver.payload_json)
        cast(ingest_run_id as string) as ingest_run_id,
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line

    from source

)

select * from renamed
