-- Every fact, extracted from a report or taken from a reference table, in one shape, with the
-- analysts' applied corrections (int_corrections_matched): a set value replaces the extracted one
-- (kept in value_extracted), a rejected fact is marked, an added fact is a fact of its document
-- (rule correction, the reason as evidence).
with

extracted_facts as (

    select * from {{ ref('stg_raw__facts') }}

),

reference_facts as (

    select * from {{ ref('int_reference_index_facts_unpivoted') }}

),

corrections as (

    select * from {{ ref('int_corrections_matched') }}
    where status = 'applied'

),

metric_catalog as (

    select * from {{ ref('stg_reference__metric_catalog') }}

),

unioned as (

    -- the same columns in the same order (stg_raw__facts)
    select * from extracted_facts
    union all
    select * from reference_facts

),

corrected as (

    select
        unioned.fact_id,
        unioned.document_id,
        unioned.province_code,
        unioned.year,
        unioned.period_code,
        unioned.metric_code,
        case when corrections.action = 'set' then corrections.value else unioned.value end as value,
        unioned.unit,
        unioned.qualifier,
        unioned.fact_kind,
        unioned.evidence,
        unioned.span_start,
        unioned.span_end,
        unioned.rule_id,
        unioned.extractor_version,
        unioned.confidence,
        corrections.correction_id,
        corrections.action as correction_action,
        corrections.reason as correction_reason,
        case when corrections.action = 'set' then unioned.value end as value_extracted

    from unioned
    left join corrections
        on unioned.fact_id = corrections.fact_id

),

added as (

    select
        corrections.document_id || ':correction:' || corrections.correction_id as fact_id,
        corrections.document_id,
        corrections.province_code,
        corrections.year,
        corrections.period_code,
        corrections.metric_code,
        corrections.value,
        metric_catalog.unit,
        'exact' as qualifier,
        'actual' as fact_kind,
        corrections.reason as evidence,
        cast(null as integer) as span_start,
        cast(null as integer) as span_end,
        'correction' as rule_id,
        cast(null as varchar) as extractor_version,
        cast(1.0 as double precision) as confidence,
        corrections.correction_id,
        'add' as correction_action,
        corrections.reason as correction_reason,
        cast(null as double precision) as value_extracted

    from corrections
    inner join metric_catalog
        on corrections.metric_code = metric_catalog.metric_code
    where corrections.action = 'add'

),

final as (

    select * from corrected
    union all
    select * from added

)

select * from final
