with

source as (

    select * from {{ source('silver', 'fm_api_request') }}

),

renamed as (

    select
        -- ids and envelope
        {{ staging_event_ids() }},

        -- properties
        cast(model as string) as model,
        cast(requests as bigint) as request_count,
        cast(tokens_in as bigint) as input_tokens,
        cast(tokens_out as bigint) as output_tokens,

        {{ staging_event_times_and_lineage() }}

    from source

)

select * from renamed
