{#-
    Incremental intermediate models recompute whole periods (days or months) that received rows
    since their last build, and merge them in by their key.

    "Since the last build" comes from ops.refine_ledger: every silver row carries the ingest batch
    it came from, and the ledger records when each batch was merged into silver. A model stores the
    ledger's newest recorded_at at build time (column `refined_through`); the next build recomputes
    every period holding a row of a batch recorded after it, late rows of an old day included.
    A period is always recomputed from all of its silver rows, so merged values are complete.
-#}

{#- Newest refine time at build: stored on every row of an incremental model. -#}
{% macro refined_through() -%}
    (select max(recorded_at) from {{ source('ops', 'refine_ledger') }})
{%- endmacro %}


{#-
    The periods (days or months) holding rows refined since this model's last build, in any of
    `relations` (a model built from several sources recomputes a period from all of them), read
    when the model runs, in two queries: the batches refined since (ops.refine_ledger, a row per
    batch), then their periods, the batches named as literals. Named, they let the engine skip
    every silver file whose ingest_run_id statistics exclude them (batch ids grow with time, so
    only the files written since hold them); under a subquery it read every file of silver.
    `periods_filter` then spells the periods out as literals too: a subquery in the filter would
    be opaque to the engine, which then reads every partition of silver to find a day's rows (the
    daily build's cost grew with the history); literals prune silver to the months concerned (its
    partitions) before anything is read.
-#}
{% macro changed_periods(relations, period_column) -%}
    {%- if not (execute and is_incremental()) %}
        {{- return({'column': period_column, 'values': none}) }}
    {%- endif %}
    {%- set batches_query %}
        select ingest_run_id
        from {{ source('ops', 'refine_ledger') }}
        where recorded_at > (
            select coalesce(max(refined_through), cast('1970-01-01' as timestamp)) from {{ this }}
        )
    {%- endset %}
    {%- set batches = run_query(batches_query).columns[0].values() | map('string') | unique | sort | list %}
    {%- if not batches %}
        {{- return({'column': period_column, 'values': []}) }}
    {%- endif %}
    {%- set query %}
        {%- for relation in relations %}
        select distinct cast({{ period_column }} as string) as period
        from {{ relation }}
        where ingest_run_id in ({% for batch in batches %}'{{ batch }}'{{ ', ' if not loop.last }}{% endfor %})
        {{ 'union' if not loop.last }}
        {%- endfor %}
    {%- endset %}
    {%- set values = run_query(query).columns[0].values() | map('string') | unique | sort %}
    {{- return({'column': period_column, 'values': values}) }}
{%- endmacro %}


{#-
    `where event_month in (...) [and event_date in (...)]` for `changed_periods(...)` of a day
    (`event_date`) or month (`event_month`) column: a day filter also names the days' months, silver's
    partition column. Renders nothing on a full build, `where false` when no period changed.
-#}
{% macro periods_filter(periods) -%}
    {%- if periods['column'] not in ('event_date', 'event_month') %}
        {{- exceptions.raise_compiler_error("periods_filter: event_date or event_month, not " ~ periods['column']) }}
    {%- endif %}
    {%- if periods['values'] is not none %}
    {%- if not periods['values'] %}
    where false
    {%- else %}
    {%- set months = [] %}
    {%- for value in periods['values'] %}
        {%- if value[:7] ~ '-01' not in months %}{% do months.append(value[:7] ~ '-01') %}{% endif %}
    {%- endfor %}
    where event_month in ({{ _date_literals(months) }})
    {%- if periods['column'] == 'event_date' %}
      and event_date in ({{ _date_literals(periods['values']) }})
    {%- endif %}
    {%- endif %}
    {%- endif %}
{%- endmacro %}


{% macro _date_literals(values) -%}
    {%- for value in values %}date'{{ value }}'{{ ', ' if not loop.last }}{% endfor %}
{%- endmacro %}
