{#-
    Which libraries each notebook imported, per calendar month: one row per (month, customer,
    notebook, library). The base of the notebook-share figures (F3, F4), which count distinct
    notebooks. Classification happens downstream, so a change of the seeds needs no rebuild.
    Incremental: a month that received new rows is recomputed whole and merged.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='merge',
        unique_key=['activity_month', 'customer_key', 'notebook_id', 'library'],
    )
}}

{%- set sources = [ref('stg_silver__notebook_library_imported')] %}
{%- set periods = changed_periods(sources, 'event_month') %}

with

imports as (

    select * from {{ ref('stg_silver__notebook_library_imported') }}
    {{ periods_filter(periods) }}

),

final as (

    select
        event_month as activity_month,
        customer_key,
        notebook_id,
        library,
        count(*) as import_events,
        {{ refined_through() }} as refined_through

    from imports
    group by 1, 2, 3, 4

)

select * from final
