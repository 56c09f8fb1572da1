-- Complementary suppression: where cells add up to a published total, no group may have exactly
-- one suppressed cell next to published ones (it would be the total minus the others). A group
-- passes with 0 or >= 2 suppressed cells, or when all its cells are suppressed.
-- Groups: fig02 per month, fig10 per month, fig11 per month and product, fig08 the whole table.

with

cells as (

    select
        'fig02_model_ratio_by_industry' as mart,
        cast(activity_month as string) as group_key,
        is_suppressed
    from {{ ref('fig02_model_ratio_by_industry') }}

    union all

    select
        'fig10_uc_adoption_by_industry',
        cast(activity_month as string),
        is_suppressed
    from {{ ref('fig10_uc_adoption_by_industry') }}

    union all

    select
        'fig11_serverless_adoption_by_industry',
        concat(cast(activity_month as string), ' / ', serverless_product),
        is_suppressed
    from {{ ref('fig11_serverless_adoption_by_industry') }}

    union all

    select
        'fig08_fm_usage_by_industry',
        'all industries',
        is_suppressed
    from {{ ref('fig08_fm_usage_by_industry') }}

)

select
    mart,
    group_key,
    count(*) as cells,
    sum(case when is_suppressed then 1 else 0 end) as suppressed_cells

from cells
group by 1, 2
having sum(case when is_suppressed then 1 else 0 end) = 1
    and count(*) > 1
