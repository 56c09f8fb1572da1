{#-
    Every customer seen in telemetry or in the newest accounts snapshot, with the industry the
    report counts it under: the snapshot's industry when it is one of the seed's industries, else
    Other (REPORT_SPEC: "industry comes from the newest accounts snapshot (else Other)").
-#}

{%- set event_models = [
    'stg_silver__mlflow_model_logged',
    'stg_silver__mlflow_model_registered',
    'stg_silver__notebook_library_imported',
    'stg_silver__integration_used',
    'stg_silver__vector_search_request',
    'stg_silver__fm_api_request',
    'stg_silver__serving_usage',
    'stg_silver__uc_activity',
    'stg_silver__serverless_usage',
] -%}

with

accounts as (

    select * from {{ ref('stg_silver__accounts') }}

),

industries as (

    select * from {{ ref('industries') }}

),

{% for event_model in event_models %}
{{ event_model }} as (

    select distinct customer_key from {{ ref(event_model) }}

),

{% endfor -%}

customers as (

    {% for event_model in event_models -%}
    select customer_key from {{ event_model }}
    union
    {% endfor -%}
    select customer_key from accounts

),

other_industry as (

    select industry, industry_key from industries where not is_named_industry

),

final as (

    select
        customers.customer_key,
        coalesce(industries.industry, other_industry.industry) as industry,
        coalesce(industries.industry_key, other_industry.industry_key) as industry_key,
        accounts.customer_key is not null as is_in_accounts,
        accounts.industry_reported,
        accounts.country_code,
        accounts.segment,
        accounts.snapshot_date

    from customers
    cross join other_industry
    left join accounts
        on customers.customer_key = accounts.customer_key
    left join industries
        on accounts.industry = industries.industry

)

select * from final
