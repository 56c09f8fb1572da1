-- fig03: the application-category shares of an industry (and of the all-industries row) add up to
-- 1, within 1e-9, wherever no cell of that industry is suppressed.

select
    industry_key,
    sum(notebook_share) as share_sum,
    count(*) as categories

from {{ ref('fig03_application_share_by_industry') }}
group by 1
having max(case when is_suppressed then 1 else 0 end) = 0
    and abs(sum(notebook_share) - 1) > 1e-9
