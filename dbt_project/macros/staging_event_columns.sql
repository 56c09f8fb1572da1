{#- The columns every silver event table shares, renamed and cast once for all staging models. -#}
{% macro staging_event_ids() %}
        cast(event_id as string) as event_id,
        cast(customer_key as string) as customer_key,
        cast(workspace_key as string) as workspace_key,
        cast(cloud as string) as cloud
{%- endmacro %}

{% macro staging_event_times_and_lineage() %}
        -- timestamps (UTC)
        cast(event_ts as timestamp) as event_at,
        cast(event_date as date) as event_date,
        cast(event_month as date) as event_month,

        -- lineage (the raw payload stays in silver.payload_json)
        cast(ingest_run_id as string) as ingest_run_id,
        cast(source_file as string) as source_file,
        cast(source_line as bigint) as source_line
{%- endmacro %}
