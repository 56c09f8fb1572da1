{#-
    The lakehouse root: var `lakehouse`, else $SODAI_LAKEHOUSE, else the pipeline's own
    $SODAI__PATHS__LAKEHOUSE. Tables are Delta tables at <lakehouse>/<schema>/<table>; dbt's own
    tables land under <lakehouse>/gold/<layer>/<table> (location_root in dbt_project.yml).
    A relative path would resolve against the engine server's working directory, so it is refused.
-#}
{% macro lakehouse_root() %}
    {%- set root = var('lakehouse', env_var('SODAI_LAKEHOUSE', env_var('SODAI__PATHS__LAKEHOUSE', ''))) | string | trim -%}
    {%- if root == '' -%}
        {{ exceptions.raise_compiler_error(
            "The lakehouse root is not set: pass --vars '{lakehouse: /abs/path}' or set SODAI_LAKEHOUSE."
        ) }}
    {%- endif -%}
    {%- if not (root.startswith('/') or '://' in root) -%}
        {{ exceptions.raise_compiler_error(
            "The lakehouse root must be an absolute path or a URI, got '" ~ root ~ "'."
        ) }}
    {%- endif -%}
    {{ return(root.rstrip('/')) }}
{% endmacro %}
