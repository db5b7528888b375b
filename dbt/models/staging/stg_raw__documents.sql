with

source as (

    select * from {{ source('raw', 'documents') }}

),

renamed as (

    select
        cast(document_id as varchar) as document_id,
        cast(file_path as varchar) as file_path,
        cast(sha256 as varchar) as sha256,
        cast(province_code as varchar) as province_code,
        cast(national as boolean) as is_national,
        cast(year as integer) as year,
        cast(period as varchar) as period_code,
        cast(doc_type as varchar) as doc_type,
        cast(title as varchar) as title,
        cast(source_url as varchar) as source_url,
        cast(published as date) as published_date,
        cast(char_count as integer) as char_count,
        cast(text as varchar) as document_text,
        cast(ingested_at as timestamp) as ingested_at,
        cast(status as varchar) as status,
        cast(first_seen_at as timestamp) as first_seen_at,
        cast(last_seen_at as timestamp) as last_seen_at,
        cast(aliases as varchar) as aliases

    from source

)

select * from renamed
