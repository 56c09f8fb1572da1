{#-
    Product use: one row per (day, customer, product) when the customer imported one of the
    product's libraries or used its partner integration that day (seed product_sources).
-#}

with

tool_use as (

    select * from {{ ref('int_tool_use_days') }}

),

product_sources as (

    select * from {{ ref('product_sources') }}

),

final as (

    select distinct
        tool_use.activity_date,
        tool_use.customer_key,
        product_sources.product

    from tool_use
    inner join product_sources
        on tool_use.source_type = product_sources.source_type
            and tool_use.source_key = product_sources.source_key

)

select * from final
