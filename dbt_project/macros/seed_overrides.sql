{#-
    dbt-spark's seed materialization, replaced for Delta tables with a location_root.

    dbt-spark creates a seed with `create table <t> (<columns>) ... location '<path>'` and then
    inserts the rows, dropping the old table first. With tables kept by location that breaks:

    1. Dropping a table declared with a LOCATION keeps its files, and on a fresh session catalog
       (Sail's, or a new JVM server's) there is no old table to drop at all. `create table` (and on
       the JVM even `create or replace table` with a column list) then adopts the previous run's
       Delta table, rows included, and the insert adds the seed again: every run duplicated every
       seed row on the JVM engine (and a changed column list meets the old table's schema).
    2. The session method formats bindings into the SQL text itself and renders a missing value
       (None) as the string 'None' and a quote unescaped (dbt.adapters.spark.session._fix_binding):
       an empty cell became the string 'None' (or a cast error under ANSI mode).

    Here a seed is ONE statement, `create or replace table ... as select ... from values ...`,
    all rows at once (seeds are small reference data): CTAS replaces data and schema atomically on
    both engines, values are SQL literals (quotes and backslashes escaped) and empty cells null.
    All rows go into the one statement because Sail makes a CTAS column NOT NULL when none of its
    values is null: loaded in batches, a first batch without nulls made a column NOT NULL and the
    rows with nulls that followed were refused or misread (a test on `x is null` failed).
-#}

{% macro sodai_seed_literal(value) %}
    {%- if value is none -%}
        {{ return('null') }}
    {%- elif value is sameas true -%}
        {{ return('true') }}
    {%- elif value is sameas false -%}
        {{ return('false') }}
    {%- elif value is number -%}
        {{ return(value | string) }}
    {%- else -%}
        {{ return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") }}
    {%- endif -%}
{% endmacro %}


{#- The seed's column types: column_types config, else what agate inferred from the CSV. -#}
{% macro sodai_seed_column_types(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {{ return(types) }}
{% endmacro %}


{#- select <typed columns> from values <rows>; no rows: a typed select that returns nothing. -#}
{% macro sodai_seed_select(model, agate_table, rows) %}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set types = sodai_seed_column_types(model, agate_table) -%}
    {%- set names = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- do names.append(adapter.quote_seed_column(col_name | string, quote_seed_column)) -%}
    {%- endfor -%}
    select
        {%- for name in names %}
        cast({{ name if rows else 'null' }} as {{ types[loop.index0] }}) as {{ name }}{{ ',' if not loop.last }}
        {%- endfor %}
    {% if rows -%}
    from values
        {%- for row in rows %}
        ({%- for value in row -%}{{ sodai_seed_literal(value) }}{{ ', ' if not loop.last }}{%- endfor -%}){{ ',' if not loop.last }}
        {%- endfor %}
        as seed_rows({{ names | join(', ') }})
    {%- else -%}
    where false
    {%- endif %}
{% endmacro %}


{% macro spark__create_csv_table(model, agate_table) %}
    {% set sql %}
        create or replace table {{ this.render() }}
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
        as
        {{ sodai_seed_select(model, agate_table, agate_table.rows) }}
    {% endset %}

    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}

    {{ return(sql) }}
{% endmacro %}


{#- No drop first: create or replace swaps the table in one commit, readers never miss it. -#}
{% macro spark__reset_csv_table(model, full_refresh, old_relation, agate_table) %}
    {{ return(create_csv_table(model, agate_table)) }}
{% endmacro %}


{#- Every row went in with the table (create_csv_table): nothing left to load. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {{ return('') }}
{% endmacro %}
