-- The wide tables and the long table fct_metric_values hold the same selected values, cell for
-- cell: each is built on its own from int_facts_selected (a pivot, incremental by province-year;
-- a labelled select, whole), so a cell one of them lost, kept or changed shows here. Every
-- selected fact of a province in fct_report_facts is a row of the long table, with at least one
-- source agreeing (its own document); conflicting_metrics lies between 0 and fact_count.
{{ config(meta={'dagster': {'ref': {'name': 'fct_metric_values'}}}) }}  {#- shown as a check of fct_metric_values in Dagster -#}
{%- set tables = var('wide_tables').keys() | list %}

with

long_values as (

    select
        province_id || '|' || period_id as province_period_id,
        metric_code,
        fact_id,
        sources_agreeing,
        case when unit in ('{{ integer_units() | join("', '") }}')
            then cast(cast(value as bigint) as double) else value end as value

    from {{ ref('fct_metric_values') }}

),

wide_values as (

    {%- for table in tables %}
    {%- set relation = ref('fct_' ~ table) %}
    {%- for metric in catalog_metrics(table) %}
    select
        province_period_id,
        '{{ metric['metric_code'] }}' as metric_code,
        cast({{ metric['metric_code'] }} as double) as value
    from {{ relation }}
    where {{ metric['metric_code'] }} is not null
    union all
    {%- endfor %}
    {%- endfor %}
    select null, null, null where false

),

cell_problems as (

    select
        coalesce(wide_values.province_period_id, long_values.province_period_id) as province_period_id,
        coalesce(wide_values.metric_code, long_values.metric_code) as metric_code,
        case
            when long_values.metric_code is null then 'in a wide table, not in fct_metric_values'
            when wide_values.metric_code is null then 'in fct_metric_values, not in its wide table'
            when wide_values.value <> long_values.value
                then 'wide table ' || wide_values.value || ', fct_metric_values ' || long_values.value
            when long_values.sources_agreeing < 1 then 'no source agrees with the selected value'
        end as problem

    from wide_values
    full outer join long_values
        on wide_values.province_period_id = long_values.province_period_id
        and wide_values.metric_code = long_values.metric_code

),

selected_facts as (

    select * from {{ ref('fct_report_facts') }}
    where is_selected
        and province_id is not null

),

selected_problems as (

    select
        selected_facts.province_id || '|' || selected_facts.period_id as province_period_id,
        selected_facts.metric_code,
        'selected fact ' || selected_facts.fact_id || ' not in fct_metric_values' as problem

    from selected_facts
    anti join long_values
        on selected_facts.fact_id = long_values.fact_id

),

count_problems as (

    {%- for table in tables %}
    select
        province_period_id,
        null as metric_code,
        'conflicting_metrics = ' || conflicting_metrics || ' outside 0..' || fact_count as problem
    from {{ ref('fct_' ~ table) }}
    where conflicting_metrics not between 0 and fact_count
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

)

select * from cell_problems where problem is not null
union all
select * from selected_problems
union all
select * from count_problems
