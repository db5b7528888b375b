with

documents as (

    select * from {{ ref('int_documents_unioned') }}

),

final as (

    select
        document_id,
        file_path,
        sha256,
        province_code,
        is_national,
        year,
        period_code,
        doc_type,
        title,
        source_url,
        published_date,
        char_count,
        ingested_at,
        status,
        first_seen_at,
        last_seen_at,
        aliases

    from documents

)

select * from final
