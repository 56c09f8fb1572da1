with

source as (

    select * from {{ source('silver', 'integration_used') }}

),

renamed as (

    select
        -- ids and envelope
        {{ staging_event_ids() }},

        -- properties
        cast(product as string) as integration_key,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
