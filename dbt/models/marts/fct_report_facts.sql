with

facts as (

    select * from {{ ref('int_facts_selected') }}

),

final as (

    select
        fact_id,
        document_id,
        province_id,
        province_code,
        period_id,
        year,
        period_code,
        metric_code,
        fact_table,
        value,
        unit,
        qualifier,
        fact_kind,
        is_selected,
        evidence,
        span_start,
        span_end,
        rule_id,
        extractor_version,
        confidence

    from facts

)

select * from final
