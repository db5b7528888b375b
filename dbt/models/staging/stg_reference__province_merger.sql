with

source as (

    select * from {{ ref('province_merger_2025') }}

),

renamed as (

    select
        cast(old_province_code as varchar) as old_province_code,
        cast(old_name_vi as varchar) as old_province_name_vi,
        cast(new_province_code as varchar) as new_province_code,
        cast(new_name_vi as varchar) as new_province_name_vi

    from source

)

select * from renamed
