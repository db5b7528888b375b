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
        cast(valid_min as double precision) as valid_min,
        cast(valid_max as double precision) as valid_max,
        cast(share_numerator as varchar) as share_numerator,
        cast(share_base as varchar) as share_base,
        cast(additive as boolean) as additive,
        cast(more_is_better as boolean) as more_is_better

    from source

)

select * from renamed
