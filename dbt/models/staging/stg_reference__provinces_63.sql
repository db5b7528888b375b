with

source as (

    select * from {{ ref('provinces_63') }}

),

renamed as (

    select
        cast(province_code as varchar) as province_code,
        cast(name_vi as varchar) as province_name_vi,
        cast(name_ascii as varchar) as province_name_ascii,
        cast(unit_type as varchar) as unit_type,
        cast(region as varchar) as region_vi,
        cast(region_en as varchar) as region_en

    from source

)

select * from renamed
