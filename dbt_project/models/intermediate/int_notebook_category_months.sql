{#-
    Notebook-category use: one row per (month, customer, notebook, application category) when the
    notebook imported a library of that category in that month (seed library_categories). Generic
    data preparation and modelling libraries have no category and are left out (report definition F3).
-#}

with

notebook_libraries as (

    select * from {{ ref('int_notebook_library_months') }}

),

library_categories as (

    select * from {{ ref('library_categories') }}
    where application_category is not null

),

final as (

    select distinct
        notebook_libraries.activity_month,
        notebook_libraries.customer_key,
        notebook_libraries.notebook_id,
        library_categories.application_category

    from notebook_libraries
    inner join library_categories
        on notebook_libraries.library = library_categories.library

)

select * from final
