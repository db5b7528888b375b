with

source as (

    select * from {{ source('raw', 'ingest_errors') }}

),

renamed as (

    select
        cast(file_path as varchar) as file_path,
        cast(stage as varchar) as stage,
        cast(reason as varchar) as reason,
        cast(detail as varchar) as detail,
        cast(recorded_at as timestamp) as recorded_at

    from source

)

select * from renamed
