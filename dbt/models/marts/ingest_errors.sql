with

ingest_errors as (

    select * from {{ ref('stg_raw__ingest_errors') }}

),

final as (

    select
        file_path,
        stage,
        reason,
        detail,
        recorded_at

    from ingest_errors

)

select * from final
