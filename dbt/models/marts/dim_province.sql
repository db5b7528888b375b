with

provinces as (

    select * from {{ ref('int_provinces_unioned') }}

),

final as (

    select
        province_id,
        generation,
        province_code,
        province_name_vi,
        province_name_ascii,
        unit_type,
        region_vi,
        region_en,
        region_basis,
        administrative_center,
        valid_from,
        valid_to,
        successor_province_id,
        predecessor_province_ids,
        valid_to is null as is_current

    from provinces

)

select * from final
