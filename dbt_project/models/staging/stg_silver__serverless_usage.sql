with

source as (

    select * from {{ source('silver', 'serverless_usage') }}

),

renamed as (

    select
        -- ids and envelope
        {{ staging_event_ids() }},

        -- properties
        cast(product as string) as serverless_product,
        cast(usage_units as double) as usage_units,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
