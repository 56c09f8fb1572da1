with

source as (

    select * from {{ source('silver', 'notebook_library_imported') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(notebook_id as string) as notebook_id,

        -- properties
        cast(cloud as string) as cloud,
        cast(library as string) as library,
        cast(library_version as string) as library_version,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
