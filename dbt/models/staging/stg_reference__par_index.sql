with

source as (

    select * from {{ ref('par_index') }}

),

renamed as (

    select
        cast(year as integer) as year,
        cast(province_code as varchar) as province_code,
        cast(name_vi as varchar) as province_name_vi,
        cast(score as double precision) as par_index_score,
        cast(rank as integer) as par_index_rank,
        cast(source_url as varchar) as source_url

    from source

)

select * from renamed
