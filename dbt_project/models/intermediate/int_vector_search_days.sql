{#-
    Vector search requests per day (UTC), customer and embedding (model, dimension, modality as
    reported; unknown parts are 'unknown'). The base of the embedding mix beyond the report.
    Incremental: a day that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_date', 'customer_key', 'embedding_model', 'embedding_dimension', 'embedding_modality'],
    )
}}

{%- set sources = [ref('stg_silver__vector_search_request')] %}
{%- set periods = changed_periods(sources, 'event_date') %}

with

requests as (

    select * from {{ ref('stg_silver__vector_search_request') }}
    {{ periods_filter(periods) }}

),

final as (

    select
        event_date as activity_date,
        customer_key,
        coalesce(embedding_model, 'unknown') as embedding_model,
        -- 0 stands for "not reported" so the merge key has no null
        coalesce(embedding_dimension, 0) as embedding_dimension,
        coalesce(embedding_modality, 'unknown') as embedding_modality,
        sum(request_count) as request_count,
        count(distinct index_id) as indexes,
        {{ refined_through() }} as refined_through

    from requests
    group by 1, 2, 3, 4, 5

)

select * from final
