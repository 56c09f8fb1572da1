-- unclassified_libraries: every library seen in int_tool_use_days (source_type library) is either
-- in a seed (library_categories, llm_library_categories, or product_sources as a library) or
-- listed in unclassified_libraries; and no library a seed classifies is listed there.

with

seen as (

    select distinct source_key as library
    from {{ ref('int_tool_use_days') }}
    where source_type = 'library'

),

seeded as (

    select library from {{ ref('library_categories') }}
    union
    select library from {{ ref('llm_library_categories') }}
    union
    select source_key as library from {{ ref('product_sources') }}
    where source_type = 'library'

),

listed as (

    select source_key as library
    from {{ ref('unclassified_libraries') }}
    where source_type = 'library'

),

missing as (

    select
        seen.library,
        'seen but neither seeded nor listed as unclassified' as failure
    from seen
    where
        seen.library not in (select seeded.library from seeded)
        and seen.library not in (select listed.library from listed)

),

misclassified as (

    select
        listed.library,
        'seeded but listed as unclassified' as failure
    from listed
    where listed.library in (select seeded.library from seeded)

)

select * from missing
union all
select * from misclassified
