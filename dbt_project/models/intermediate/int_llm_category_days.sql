{#-
    LLM category use per day: one row per (day, customer, LLM category) when the customer imported
    a library the seed llm_library_categories puts in the category, or, for vector_db, made any
    request to the platform's vector search. The one place the library -> LLM category
    classification is applied; weekly use and the key findings read it. Ephemeral: inlined where
    used, so it costs no statement of its own.
-#}
{{ config(materialized='ephemeral') }}

with

tool_use as (

    select * from {{ ref('int_tool_use_days') }}

),

llm_libraries as (

    select * from {{ ref('llm_library_categories') }}

),

categorized as (

    select
        tool_use.activity_date,
        tool_use.customer_key,
        llm_libraries.llm_category
    from tool_use
    inner join llm_libraries
        on tool_use.source_type = 'library'
            and tool_use.source_key = llm_libraries.library

    union all

    select
        activity_date,
        customer_key,
        'vector_db' as llm_category
    from tool_use
    where source_type = 'vector_search'

)

select distinct
    activity_date,
    customer_key,
    llm_category
from categorized
