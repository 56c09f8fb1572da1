{#-
    Rows where `expression` is false fail; null results pass (an absent optional field).
    On a column: `expression: ">= 0"` tests `<column> >= 0`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

select *
from {{ model }}
where not ({{ column_name ~ ' ' if column_name is not none else '' }}{{ expression }})

{% endtest %}
