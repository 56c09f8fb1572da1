{#-
    Foundation-model API requests per day (UTC), customer and model. The base of F7, F8, K7-K9.
    Incremental: a day that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_date', 'customer_key', 'model'],
    )
}}

{%- set sources = [ref('stg_silver__fm_api_request')] %}
{%- set periods = changed_periods(sources, 'event_date') %}

with

requests as (

    select * from {{ ref('stg_silver__fm_api_request') }}
    {{ periods_filter(periods) }}

),

final as (

    select
        event_date as activity_date,
        customer_key,
        model,
        sum(request_count) as request_count,
        sum(input_tokens) as input_tokens,
        sum(output_tokens) as output_tokens,
        {{ refined_through() }} as refined_through

    from requests
    group by 1, 2, 3

)

select * from final
