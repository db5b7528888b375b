with

source as (

    select * from {{ ref('metric_catalog') }}

),

renamed as (

    select
        cast(metric_code as varchar) as metric_code,
        cast(fact_table as varchar) as fact_table,
        cast(unit as varchar) as unit,
        cast(label_vi as varchar) as label_vi,
        cast(label_en as varchar) as label_en,
        cast(valid_min as double) as valid_min,
        cast(valid_max as double) as valid_max,
        cast(part_of as varchar) as part_of,
        cast(breakdown as varchar) as breakdown,
        cast(share_numerator as varchar) as share_numerator,
        cast(share_base as varchar) as share_base,
        cast(shares_sum_group as varchar) as shares_sum_group,
        cast(additive as boolean) as additive

    from source

)

select * from renamed
