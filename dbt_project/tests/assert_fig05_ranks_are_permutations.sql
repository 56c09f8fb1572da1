-- fig05: the published (non-null) customer_rank values are exactly 1..n, each once, and so are
-- the published last_year_rank values (suppression may only cut the tail of a ranking).

{% for rank_column in ['customer_rank', 'last_year_rank'] %}
select
    '{{ rank_column }}' as rank_column,
    count(*) as ranks,
    count(distinct {{ rank_column }}) as distinct_ranks,
    min({{ rank_column }}) as min_rank,
    max({{ rank_column }}) as max_rank

from {{ ref('fig05_top_products') }}
where {{ rank_column }} is not null
having count(*) > 0
    and (
        count(distinct {{ rank_column }}) != count(*)
        or min({{ rank_column }}) != 1
        or max({{ rank_column }}) != count(*)
    )
{{ 'union all' if not loop.last }}
{% endfor %}
