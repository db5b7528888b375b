with

source as (

    select * from {{ source('raw', 'facts') }}

),

renamed as (

    select
        cast(fact_id as varchar) as fact_id,
        cast(document_id as varchar) as document_id,
        cast(province_code as varchar) as province_code,
        cast(year as integer) as year,
        cast(period as varchar) as period_code,
        cast(metric_code as varchar) as metric_code,
        cast(value as double precision) as value,
        cast(unit as varchar) as unit,
        cast(qualifier as varchar) as qualifier,
        cast(fact_kind as varchar) as fact_kind,
        cast(evidence as varchar) as evidence,
        cast(span_start as integer) as span_start,
        cast(span_end as integer) as span_end,
        cast(rule_id as varchar) as rule_id,
        cast(extractor_version as varchar) as extractor_version,
        cast(confidence as double precision) as confidence

    from source

)

select * from renamed
