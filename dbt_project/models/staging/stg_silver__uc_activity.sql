with

source as (

    select * from {{ source('silver', 'uc_activity') }}

),

renamed as (

    select
        -- ids and envelope
        {{ staging_event_ids() }},

        -- properties
        cast(action as string) as action,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
