-- key_findings: each of K1..K10 is present with exactly one headline row.

with

expected as (

    select concat('K', cast(id as string)) as finding_id
    from (select explode(sequence(1, 10)) as id) as ids

),

headlines as (

    select
        finding_id,
        count(*) as headline_rows
    from {{ ref('key_findings') }}
    where is_headline
    group by 1

)

select
    coalesce(expected.finding_id, headlines.finding_id) as finding_id,
    coalesce(headlines.headline_rows, 0) as headline_rows

from expected
full outer join headlines
    on expected.finding_id = headlines.finding_id
where coalesce(headlines.headline_rows, 0) != 1
    or expected.finding_id is null
