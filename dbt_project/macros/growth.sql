{#- Relative growth current / base - 1; null when the base is zero or missing. -#}
{% macro growth(current_value, base_value) -%}
    case when {{ base_value }} > 0 then cast({{ current_value }} as double) / {{ base_value }} - 1 end
{%- endmacro %}


{#- A ratio that is null when the denominator is zero or missing. -#}
{% macro safe_ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as double) / {{ denominator }} end
{%- endmacro %}
