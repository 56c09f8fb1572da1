{#-
    F5. Data & AI products by distinct customers over the window, with last year's rank (same over
    last_year_window). A customer uses a product if it imports one of the product's libraries or
    uses its partner integration (seed product_sources). Rank by customers, ties by product name.
    A product used by fewer than k customers shows neither count nor rank.
-#}

with

products as (

    select * from {{ ref('products') }}

),

product_use as (

    select * from {{ ref('int_product_use_days') }}

),

customers_per_product as (

    select
        product,
        count(distinct case
            when activity_date between {{ report_date('window_start') }} and {{ report_date('window_end') }}
                then customer_key
        end) as customers,
        count(distinct case
            when activity_date between {{ report_date('last_year_window_start') }} and {{ report_date('last_year_window_end') }}
                then customer_key
        end) as last_year_customers

    from product_use
    group by 1

),

ranked as (

    select
        products.product,
        products.category as product_category,
        products.open_source as is_open_source,
        coalesce(customers_per_product.customers, 0) as customers,
        coalesce(customers_per_product.last_year_customers, 0) as last_year_customers,
        row_number() over (order by coalesce(customers_per_product.customers, 0) desc, products.product) as customer_rank,
        row_number() over (order by coalesce(customers_per_product.last_year_customers, 0) desc, products.product) as last_year_rank

    from products
    left join customers_per_product
        on products.product = customers_per_product.product

),

final as (

    select
        product,
        product_category,
        is_open_source,
        case when customers >= {{ suppression_min_customers() }} then customers end as customers,
        case when customers >= {{ suppression_min_customers() }} then customer_rank end as customer_rank,
        case when last_year_customers >= {{ suppression_min_customers() }} then last_year_customers end as last_year_customers,
        case when last_year_customers >= {{ suppression_min_customers() }} then last_year_rank end as last_year_rank,
        case when customers >= {{ suppression_min_customers() }}
                and last_year_customers >= {{ suppression_min_customers() }}
                then last_year_rank - customer_rank
        end as rank_change,
        customers >= {{ suppression_min_customers() }} and customer_rank <= 10 as is_top_10,
        customers < {{ suppression_min_customers() }} as is_suppressed,
        last_year_customers < {{ suppression_min_customers() }} as is_last_year_suppressed

    from ranked

)

select * from final
