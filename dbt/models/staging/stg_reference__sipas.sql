with

source as (

    select * from {{ ref('sipas') }}

),

renamed as (

    select
        cast(year as integer) as year,
        cast(province_code as varchar) as province_code,
        cast(name_vi as varchar) as province_name_vi,
        cast(score_pct as double precision) as sipas_score_pct,
        cast(rank as integer) as sipas_rank,
        cast(source_url as varchar) as source_url

    from source

)

select * from renamed
