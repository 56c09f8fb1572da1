{#-
    dbt-spark's seed materialization, fixed for Delta tables with a location_root:

    1. dbt-spark drops the old table and runs `create table ... location '...'`. Dropping a table
       declared with a LOCATION keeps its files, and on a fresh session catalog (Sail, a new JVM
       server) there is no old table to drop at all: the new table picks up the previous run's rows
       and the insert adds the seed again (duplicates). `create or replace table` replaces them.
    2. dbt-spark's session method passes seed values as bindings formatted into the SQL text, and
       formats a missing value (None) as the string 'None' (a string 'None', or a cast error under
       ANSI mode). Values are rendered as SQL literals here, empty cells as null.
-#}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
    {%- set file_format = config.get('file_format', validator=validation.any[basestring]) -%}

    {% set sql %}
        {% if file_format in ['delta', 'iceberg'] -%} create or replace table {%- else -%} create table {%- endif %} {{ this.render() }} (
            {%- for col_name in agate_table.column_names -%}
                {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                {%- set type = column_override.get(col_name, inferred_type) -%}
                {%- set column_name = (col_name | string) -%}
                {{ adapter.quote_seed_column(column_name, quote_seed_column) }} {{ type }} {%- if not loop.last -%}, {%- endif -%}
            {%- endfor -%}
        )
        {{ file_format_clause() }}
        {{ partition_cols(label="partitioned by") }}
        {{ clustered_cols(label="clustered by") }}
        {{ location_clause() }}
        {{ comment_clause() }}
    {% endset %}

    {% call statement('_') -%}
        {{ sql }}
    {%- endcall %}

    {{ return(sql) }}
{% endmacro %}


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


{% macro spark__load_csv_rows(model, agate_table) %}
    {% set batch_size = get_batch_size() %}
    {% set column_override = model['config'].get('column_types', {}) %}
    {% set statements = [] %}

    {% for chunk in agate_table.rows | batch(batch_size) %}
        {% set sql %}
            insert into {{ this.render() }} values
            {% for row in chunk -%}
                ({%- for col_name in agate_table.column_names -%}
                    {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
                    {%- set type = column_override.get(col_name, inferred_type) -%}
                    cast({{ sodai_seed_literal(row[loop.index0]) }} as {{ type }})
                    {%- if not loop.last %}, {% endif -%}
                {%- endfor -%})
                {%- if not loop.last %},{% endif %}
            {% endfor %}
        {% endset %}

        {% do adapter.add_query(sql, abridge_sql_log=True) %}

        {% if loop.index0 == 0 %}
            {% do statements.append(sql) %}
        {% endif %}
    {% endfor %}

    {{ return(statements[0]) }}
{% endmacro %}
