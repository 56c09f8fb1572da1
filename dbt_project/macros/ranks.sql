{#-
    Rank of an industry row among the six industries (the report ranks industries; Other is
    shown but never ranked, nor is an all-industries row): rank() over the rows that are ranked,
    null on the others. `ranked_when` narrows the ranked rows further (e.g. published cells only).
-#}
{% macro industry_rank(order_by, partition_by=[], ranked_when='true', not_ranked=['other']) -%}
    {%- set ranked -%}
        ({{ ranked_when }}) and industry_key not in ('{{ not_ranked | join("', '") }}')
    {%- endset -%}
    case when {{ ranked }}
        then rank() over (partition by {{ (partition_by + [ranked]) | join(', ') }} order by {{ order_by }})
    end
{%- endmacro %}
