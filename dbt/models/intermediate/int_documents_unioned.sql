-- Ingested documents (without their text), every version (status current, superseded or
-- withdrawn), plus one row per reference table (current), so that every fact, extracted or
-- reference, has a document.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

par_index as (

    select * from {{ ref('stg_reference__par_index') }}

),

sipas as (

    select * from {{ ref('stg_reference__sipas') }}

),

ingested_documents as (

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

),

reference_documents as (

    select
        'ref_par_index' as document_id,
        'seeds/reference/par_index.csv' as file_path,
        'PAR INDEX – Chỉ số cải cách hành chính cấp tỉnh (Bộ Nội vụ), '
        || min(year) || '–' || max(year) as title

    from par_index

    union all

    select
        'ref_sipas' as document_id,
        'seeds/reference/sipas.csv' as file_path,
        'SIPAS – Chỉ số hài lòng về sự phục vụ hành chính (Bộ Nội vụ), '
        || min(year) || '–' || max(year) as title

    from sipas

),

reference_documents_shaped as (

    select
        document_id,
        file_path,
        cast(null as varchar) as sha256,
        cast(null as varchar) as province_code,
        -- a ranking of every province
        true as is_national,
        cast(null as integer) as year,
        cast(null as varchar) as period_code,
        -- an official table: ranked first when sources disagree
        'table' as doc_type,
        title,
        -- each row carries its own source_url (see the facts' evidence)
        cast(null as varchar) as source_url,
        cast(null as date) as published_date,
        cast(null as integer) as char_count,
        cast(null as timestamp) as ingested_at,
        -- a seed of this repository: always the version in force
        'current' as status,
        cast(null as timestamp) as first_seen_at,
        cast(null as timestamp) as last_seen_at,
        cast(null as varchar) as aliases

    from reference_documents

),

unioned as (

    select * from ingested_documents
    union all
    select * from reference_documents_shaped

)

select * from unioned
