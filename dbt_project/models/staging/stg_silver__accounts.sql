with

source as (

    select * from {{ source('silver', 'accounts') }}

),

renamed as (

    select
        -- ids
        cast(customer_key as string) as customer_key,

        -- properties
        cast(industry as string) as industry,
        cast(industry_reported as string) as industry_reported,
        cast(country as string) as country_code,
        cast(segment as string) as segment,

        -- dates
        cast(snapshot_date as date) as snapshot_date

    from source

)

select * from renamed
