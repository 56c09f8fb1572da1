{#-
    The `share` column's cells of each `group_by` group add up to 1 (within var share_tolerance)
    when none of the group's cells is suppressed, and never exceed 1 + tolerance: a share of a
    whole is complete where it is published in full.
-#}
{% test shares_add_up(model, share, group_by) %}

{%- set tolerance = var('share_tolerance') %}
select
    {{ group_by | join(', ') }},
    sum({{ share }}) as total_share,
    count_if(is_suppressed) as suppressed_cells
from {{ model }}
group by {{ group_by | join(', ') }}
having
    sum({{ share }}) > 1 + {{ tolerance }}
    or (count_if(is_suppressed) = 0 and abs(sum({{ share }}) - 1) > {{ tolerance }})

{% endtest %}
