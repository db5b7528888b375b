-- One row per province × period with at least one selected actual fact on tasks;
-- one column per catalog metric of fact_table 'tasks' (the selected value, see the pivot_metrics
-- macro), one <metric>_sources_agreeing column per metric (pivot_sources_agreeing).
with

facts as (

    select * from {{ ref('int_facts_selected') }}

),

selected_facts as (

    select * from facts
    where is_selected
        and province_id is not null
        and fact_table = 'tasks'

),

pivoted as (

    select
        province_id || '|' || period_id as province_period_id,
        province_id,
        province_code,
        province_name_vi,
        period_id,
        year,
        period_code,
        {{ pivot_metrics('tasks') }},
        {{ pivot_sources_agreeing('tasks') }},
        string_agg(distinct document_id, ',' order by document_id) as source_document_ids,
        count(*) as fact_count,
        cast(count(*) filter (where sources_disagreeing > 0) as integer) as conflicting_metrics

    from selected_facts
    group by
        province_id,
        province_code,
        province_name_vi,
        period_id,
        year,
        period_code

)

select * from pivoted
