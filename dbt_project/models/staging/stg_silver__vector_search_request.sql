with

source as (

    select * from {{ source('silver', 'vector_search_request') }}

),

renamed as (

    select
        -- ids
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(index_id as string) as index_id,

        -- properties
        cast(cloud as string) as cloud,
        cast(requests as bigint) as request_count,
        cast(embedding_model as string) as embedding_model,
        cast(dimension as bigint) as embedding_dimension,
        cast(modality as string) as embedding_modality,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
