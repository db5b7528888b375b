{#-
    The wide table of a fact table: one row per province × period with at least one selected
    actual fact of that fact_table; one column per catalog metric of it (the selected value, see
    pivot_metrics): the province's scorecard. How many sources agree with each value is in the
    long table, fct_metric_values.
    Every fct_<fact_table> model is this macro; its columns' properties are generated from the
    catalog (dagster_project/marts_properties.py). A row depends on the facts of its province and
    year only: incremental by the province-years of the changed cells (changed.sql).
-#}
{% macro wide_mart(fact_table) %}
{{ incremental_by(['province_code', 'year']) }}
with

facts as (

    select * from {{ ref('int_facts_selected') }}
    where {{ changed_only(['province_code', 'year']) }}

),

selected_facts as (

    select
        *,
        -- listed in byte order on every target (cross_db.sql)
        {{ bytewise('document_id') }} as listed_document_id

    from facts
    where is_selected
        and province_id is not null
        and fact_table = '{{ fact_table }}'

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
        -- the period's dates: a BI tool's time axis without a join to dim_period
        {{ period_start_date('year', 'period_code') }} as period_start_date,
        {{ period_end_date('year', 'period_code') }} as period_end_date,
        {{ period_sort_key('year', 'period_code') }} as period_sort_key,
        {{ pivot_metrics(fact_table) }},
        string_agg(distinct listed_document_id, ',' order by listed_document_id) as source_document_ids,
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
{% endmacro %}
