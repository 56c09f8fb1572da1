{#-
    on-run-start: declare every source table in the catalog of the session dbt uses, as
        create table if not exists <schema>.<table> using delta location '<lakehouse>/<schema>/<table>'

    Why: catalogs are not shared the same way on every engine. Sail keeps a catalog per Spark
    Connect session (a table declared in one session is unknown in the next), the local JVM server
    keeps one in memory for its lifetime, a remote cluster may have a persistent metastore. dbt's
    session is whatever pyspark hands it (docs/dbt.md), so the project declares what it reads itself.

    var `source_registration`:
      if_not_exists  (default) declare names that are missing, leave existing ones alone
      repoint        drop the name first, then declare it here, as jobs.lakehouse.Lakehouse.register
                     does (a DROP of a table declared with a LOCATION keeps the data); for a
                     long-lived catalog that may point at another lakehouse. Never use it on a
                     catalog whose source tables are managed tables.
      none           the catalog already has the sources (e.g. a metastore the platform maintains)
-#}
{% macro register_sources() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set mode = var('source_registration', 'if_not_exists') -%}
    {%- if mode == 'none' -%}
        {{ return('') }}
    {%- endif -%}
    {%- if mode not in ['if_not_exists', 'repoint'] -%}
        {{ exceptions.raise_compiler_error(
            "var source_registration must be if_not_exists, repoint or none, got '" ~ mode ~ "'."
        ) }}
    {%- endif -%}
    {%- set root = lakehouse_root() -%}
    {%- set declared_schemas = [] -%}
    {%- for source in graph.sources.values() | sort(attribute='unique_id') -%}
        {%- set location = root ~ '/' ~ source.schema ~ '/' ~ source.identifier -%}
        {%- if source.schema not in declared_schemas -%}
            {%- do run_query('create schema if not exists ' ~ source.schema) -%}
            {%- do declared_schemas.append(source.schema) -%}
        {%- endif -%}
        {%- if mode == 'repoint' -%}
            {%- do run_query('drop table if exists ' ~ source.schema ~ '.' ~ source.identifier) -%}
        {%- endif -%}
        {%- do log('register source ' ~ source.schema ~ '.' ~ source.identifier ~ ' -> ' ~ location) -%}
        {%- do run_query(
            'create table if not exists ' ~ source.schema ~ '.' ~ source.identifier
            ~ " using delta location '" ~ location ~ "'"
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
