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
    `where <period_column> in (...)`: the periods holding rows refined since this model's last
    build, in any of `relations` (a model built from several sources recomputes a period from all
    of them). Renders nothing on a full build.
-#}
{% macro changed_periods_filter(relations, period_column) -%}
    {%- if is_incremental() %}
    where {{ period_column }} in (
        {%- for relation in relations %}
        select {{ period_column }}
        from {{ relation }}
        where ingest_run_id in (
            select ingest_run_id
            from {{ source('ops', 'refine_ledger') }}
            where recorded_at > (
                select coalesce(max(refined_through), cast('1970-01-01' as timestamp)) from {{ this }}
            )
        )
        {{ 'union' if not loop.last }}
        {%- endfor %}
    )
    {%- endif %}
{%- endmacro %}
