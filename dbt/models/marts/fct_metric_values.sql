-- The long table of selected values: one row per province × period × metric, labelled, so that a
-- BI tool needs no join and "the latest value per province per metric" is `where is_latest`.
-- A table, not incremental: is_latest of a cell depends on every period of its province × metric.
with

selected_facts as (

    select * from {{ ref('int_facts_selected') }}
    where is_selected
        and province_id is not null

),

metrics as (

    select * from {{ ref('dim_metric') }}

),

provinces as (

    select * from {{ ref('dim_province') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

documents as (

    select * from {{ ref('dim_document') }}

),

labelled as (

    select
        selected_facts.province_id || '|' || selected_facts.period_id || '|' || selected_facts.metric_code
            as metric_value_id,
        selected_facts.metric_code,
        metrics.label_vi as metric_label_vi,
        metrics.label_en as metric_label_en,
        metrics.unit,
        metrics.fact_table,
        selected_facts.province_id,
        provinces.province_code,
        provinces.province_name_vi,
        provinces.generation as province_generation,
        provinces.region_vi,
        provinces.region_en,
        selected_facts.period_id,
        periods.year,
        periods.period_code,
        periods.label_vi as period_label_vi,
        periods.start_date as period_start_date,
        periods.end_date as period_end_date,
        periods.period_sort_key,
        selected_facts.value,
        selected_facts.qualifier,
        selected_facts.sources_agreeing,
        selected_facts.sources_disagreeing,
        selected_facts.document_id,
        selected_facts.fact_id,
        selected_facts.evidence,
        documents.source_url

    from selected_facts
    left join metrics
        on selected_facts.metric_code = metrics.metric_code
    left join provinces
        on selected_facts.province_id = provinces.province_id
    left join periods
        on selected_facts.period_id = periods.period_id
    left join documents
        on selected_facts.document_id = documents.document_id

),

final as (

    select
        *,
        period_sort_key = max(period_sort_key) over (partition by province_id, metric_code)
            as is_latest

    from labelled

)

select * from final
