-- Targets against actuals: one row per province × period × metric with a target (fact_kind
-- target: phấn đấu, chỉ tiêu, mục tiêu) of a current document, beside the selected actual of the
-- same cell. Of several targets for a cell, the one chosen as an actual would be (selection_rank:
-- official table, annual report, …, latest published, most precise).
with

facts as (

    select * from {{ ref('int_facts_selected') }}
    where province_id is not null

),

targets as (

    select *,
        count(*) over (partition by province_id, period_id, metric_code) as targets_stated
    from facts
    where fact_kind = 'target'
        and document_status = 'current'
        and invalid_reason is null
        and correction_action is distinct from 'reject'

),

actuals as (

    select * from facts
    where is_selected

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

paired as (

    select
        targets.province_id || '|' || targets.period_id || '|' || targets.metric_code as target_id,
        targets.province_id,
        provinces.province_code,
        provinces.province_name_vi,
        targets.period_id,
        periods.year,
        periods.period_code,
        periods.end_date as period_end_date,
        periods.period_sort_key,
        targets.metric_code,
        metrics.label_vi as metric_label_vi,
        metrics.unit,
        metrics.more_is_better,
        targets.value as target_value,
        targets.qualifier as target_qualifier,
        targets.document_id as target_document_id,
        targets.fact_id as target_fact_id,
        targets.evidence as target_evidence,
        cast(targets.targets_stated as integer) as targets_stated,
        actuals.value as actual_value,
        actuals.qualifier as actual_qualifier,
        actuals.document_id as actual_document_id,
        actuals.fact_id as actual_fact_id

    from targets
    left join actuals
        on targets.province_id = actuals.province_id
        and targets.period_id = actuals.period_id
        and targets.metric_code = actuals.metric_code
    left join metrics
        on targets.metric_code = metrics.metric_code
    left join provinces
        on targets.province_id = provinces.province_id
    left join periods
        on targets.period_id = periods.period_id
    where targets.selection_rank = 1

),

final as (

    select
        *,
        -- a share of the target reached, where more is better and the target is a quantity
        case
            when more_is_better and unit <> 'rank' and target_value > 0
                then {{ round_decimal('100.0 * actual_value / target_value', 2) }}
        end as attainment_pct,
        -- "trên 90 %" is met above 90, "dưới 5 %" below 5; a plain target at it or beyond, the
        -- way the metric improves (100 % on time is not met by 99,7 %)
        case
            when actual_value is null or more_is_better is null then null
            when target_qualifier = 'more_than' then actual_value > target_value
            when target_qualifier = 'less_than' then actual_value < target_value
            when more_is_better then actual_value >= target_value
            else actual_value <= target_value
        end as is_met

    from paired

)

select * from final
