{#-
    Which tools each customer used on each day (UTC): Python libraries imported in notebooks
    (source_type `library`), partner integrations used (`integration`) and the platform's vector
    search (`vector_search`). One row per (day, customer, source_type, source_key). The base of
    product use (F5), LLM-category use (int_llm_category_days) and unclassified tools.
    Incremental: a day that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_date', 'customer_key', 'source_type', 'source_key'],
    )
}}

{%- set sources = [
    ref('stg_silver__notebook_library_imported'),
    ref('stg_silver__integration_used'),
    ref('stg_silver__vector_search_request'),
] %}
{%- set periods = changed_periods(sources, 'event_date') %}

with

library_imports as (

    select * from {{ ref('stg_silver__notebook_library_imported') }}
    {{ periods_filter(periods) }}

),

integrations as (

    select * from {{ ref('stg_silver__integration_used') }}
    {{ periods_filter(periods) }}

),

vector_search as (

    select * from {{ ref('stg_silver__vector_search_request') }}
    {{ periods_filter(periods) }}

),

uses as (

    select
        event_date,
        customer_key,
        'library' as source_type,
        library as source_key
    from library_imports

    union all

    select
        event_date,
        customer_key,
        'integration' as source_type,
        integration_key as source_key
    from integrations

    union all

    select
        event_date,
        customer_key,
        'vector_search' as source_type,
        'vector_search' as source_key
    from vector_search

),

final as (

    select
        event_date as activity_date,
        customer_key,
        source_type,
        source_key,
        count(*) as events,
        {{ refined_through() }} as refined_through

    from uses
    group by 1, 2, 3, 4

)

select * from final
