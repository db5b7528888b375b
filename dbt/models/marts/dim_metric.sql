with

metric_catalog as (

    select * from {{ ref('stg_reference__metric_catalog') }}

),

final as (

    select
        metric_code,
        fact_table,
        unit,
        {{ metric_value_type('unit') }} as value_type,
        label_vi,
        label_en,
        additive,
        more_is_better

    from metric_catalog

)

select * from final
