with

source as (

    select * from {{ source('raw', 'corrections') }}

),

renamed as (

    select
        cast(correction_id as varchar) as correction_id,
        cast(line as integer) as line,
        cast(action as varchar) as action,
        cast(document as varchar) as document,
        cast(metric_code as varchar) as metric_code,
        cast(province as varchar) as province,
        cast(province_code as varchar) as province_code,
        cast(year as integer) as year,
        cast(period as varchar) as period_code,
        cast(value as double precision) as value,
        cast(reason as varchar) as reason,
        cast(author as varchar) as author,
        cast(date as varchar) as correction_date,
        cast(problem as varchar) as problem

    from source

)

select * from renamed
