{#-
    Every customer seen in telemetry or in the newest accounts snapshot, with the industry the
    report counts it under: the snapshot's industry when it is one of the seed's industries, else
    Other (report definition: "industry comes from the newest accounts snapshot (else Other)").
-#}

{#- every event type reaches one of these building blocks; reading them, not the event tables,
    keeps this model from scanning all of silver on every build -#}
{%- set event_models = [
    'int_mlflow_customer_months',
    'int_tool_use_days',
    'int_fm_api_days',
    'int_usage_days',
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

    select
        industry,
        industry_key
    from industries
    where not is_named_industry

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
