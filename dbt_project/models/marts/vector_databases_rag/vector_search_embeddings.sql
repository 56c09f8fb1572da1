{#-
    Beyond the report (seeds 000-003): distinct customers and requests of the platform's vector
    search by embedding dimension and modality, over the telemetry period. A request that names its
    embedding model but not its dimension or modality takes them from the seed embedding_models;
    what stays unknown is shown as dimension 0 / modality `unknown`. Customers may use several
    embeddings: per-cell suppression.
-#}

with

vector_search as (

    select * from {{ ref('int_vector_search_days') }}

),

embedding_models as (

    select * from {{ ref('embedding_models') }}

),

resolved as (

    select
        vector_search.customer_key,
        vector_search.request_count,
        coalesce(nullif(vector_search.embedding_dimension, 0), embedding_models.dimension, 0) as embedding_dimension,
        coalesce(nullif(vector_search.embedding_modality, 'unknown'), embedding_models.modality, 'unknown') as embedding_modality

    from vector_search
    left join embedding_models
        on vector_search.embedding_model = embedding_models.model

),

cells as (

    select
        embedding_dimension,
        embedding_modality,
        count(distinct customer_key) as customers,
        sum(request_count) as request_count

    from resolved
    group by 1, 2

),

suppressed as (

    {{ suppress_cells('cells', 'customers', tie_breaker='embedding_dimension, embedding_modality') }}

),

final as (

    select
        embedding_dimension,
        embedding_modality,
        case when not is_suppressed then customers end as customers,
        case when not is_suppressed then request_count end as request_count,
        is_suppressed

    from suppressed

)

select * from final
