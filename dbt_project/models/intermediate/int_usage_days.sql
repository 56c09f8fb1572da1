{#-
    Metered and counted usage per day (UTC), customer and kind: model-serving hours by compute
    (usage_kind `serving`, usage_item `cpu` / `gpu`), serverless usage units by product
    (`serverless`, the product) and unified-governance actions (`uc`, `activity`).
    The base of F9, F10, F11 and K10.
    Incremental: a day that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_date', 'customer_key', 'usage_kind', 'usage_item'],
    )
}}

{%- set sources = [
    ref('stg_silver__serving_usage'),
    ref('stg_silver__serverless_usage'),
    ref('stg_silver__uc_activity'),
] %}
{%- set periods = changed_periods(sources, 'event_date') %}

with

serving as (

    select * from {{ ref('stg_silver__serving_usage') }}
    {{ periods_filter(periods) }}

),

serverless as (

    select * from {{ ref('stg_silver__serverless_usage') }}
    {{ periods_filter(periods) }}

),

governance as (

    select * from {{ ref('stg_silver__uc_activity') }}
    {{ periods_filter(periods) }}

),

usage as (

    select
        event_date,
        customer_key,
        'serving' as usage_kind,
        compute_type as usage_item,
        cast(usage_hours as double) as quantity
    from serving

    union all

    select
        event_date,
        customer_key,
        'serverless' as usage_kind,
        serverless_product as usage_item,
        cast(usage_units as double) as quantity
    from serverless

    union all

    select
        event_date,
        customer_key,
        'uc' as usage_kind,
        'activity' as usage_item,
        cast(1 as double) as quantity
    from governance

),

final as (

    select
        event_date as activity_date,
        customer_key,
        usage_kind,
        usage_item,
        sum(quantity) as quantity,
        count(*) as events,
        {{ refined_through() }} as refined_through

    from usage
    group by 1, 2, 3, 4

)

select * from final
