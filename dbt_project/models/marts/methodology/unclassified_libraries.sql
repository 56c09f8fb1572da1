{#-
    What the reference data does not classify, so nothing vanishes silently (CONTRACT: "anything
    not in the reference data is reported as unclassified"): notebook libraries in no seed
    (library_categories, llm_library_categories, product_sources), integrations without a product,
    foundation models and embedding models missing from their catalogues. Over the telemetry
    period; share = the item's events / all events of its source type (classified or not).
    An internal quality view, not a published figure: counts are not suppressed.
-#}

with

tool_use as (

    select * from {{ ref('int_tool_use_days') }}

),

fm_days as (

    select * from {{ ref('int_fm_api_days') }}

),

vector_search as (

    select * from {{ ref('int_vector_search_days') }}

),

known as (

    select
        'library' as source_type,
        library as source_key
    from {{ ref('library_categories') }}
    union
    select
        'library' as source_type,
        library as source_key
    from {{ ref('llm_library_categories') }}
    union
    select
        source_type,
        source_key
    from {{ ref('product_sources') }}
    union
    select
        'foundation_model' as source_type,
        model as source_key
    from {{ ref('foundation_models') }}
    union
    select
        'embedding_model' as source_type,
        model as source_key
    from {{ ref('embedding_models') }}

),

uses as (

    select
        'library' as source_type,
        source_key,
        activity_date,
        customer_key,
        events
    from tool_use
    where source_type = 'library'

    union all

    select
        'integration' as source_type,
        source_key,
        activity_date,
        customer_key,
        events
    from tool_use
    where source_type = 'integration'

    union all

    select
        'foundation_model' as source_type,
        model as source_key,
        activity_date,
        customer_key,
        request_count as events
    from fm_days

    union all

    select
        'embedding_model' as source_type,
        embedding_model as source_key,
        activity_date,
        customer_key,
        request_count as events
    from vector_search
    where embedding_model != 'unknown'

),

classified as (

    select
        uses.*,
        known.source_key is not null as is_classified

    from uses
    left join known
        on uses.source_type = known.source_type
            and uses.source_key = known.source_key

),

per_item as (

    select
        source_type,
        source_key,
        is_classified,
        sum(events) as events,
        count(distinct customer_key) as customers,
        min(activity_date) as first_seen,
        max(activity_date) as last_seen

    from classified
    group by 1, 2, 3

),

shared as (

    select
        *,
        cast(events as double) / sum(events) over (partition by source_type) as share_of_source_events

    from per_item

),

final as (

    select
        source_type,
        source_key,
        events,
        customers,
        share_of_source_events,
        first_seen,
        last_seen

    from shared
    where not is_classified

)

select * from final
