-- The wide tables and the long table fct_metric_values hold the same selected values, cell for
-- cell: each is built on its own from int_facts_selected (a pivot, incremental by province-year;
-- a labelled select, whole), so a cell one of them lost, kept or changed shows here. Every
-- selected fact of a province in fct_report_facts is a row of the long table, with at least one
-- source agreeing (its own document); conflicting_metrics lies between 0 and fact_count.
-- Cells are matched by a hash of (province_period_id, metric_code): the join's memory stays small
-- at 50,000 reports, beside the other tests in dbt's 512 MB.
{{ config(meta={'dagster': {'ref': {'name': 'fct_metric_values'}}}) }}  {#- shown as a check of fct_metric_values in Dagster -#}
{%- set tables = var('wide_tables').keys() | list %}

with

long_values as (

    select
        province_id || '|' || period_id as province_period_id,
        metric_code,
        sources_agreeing,
        case when unit in ('{{ integer_units() | join("', '") }}')
            then cast(cast(value as bigint) as double precision) else value end as value

    from {{ ref('fct_metric_values') }}

),

wide_values as (

    {#- one select per metric column, its filled cells: an unpivot both targets read #}
    {%- for table in tables %}
    {%- set last_table = loop.last %}
    {%- for metric in catalog_metrics(table) | map(attribute='metric_code') %}
    select province_period_id, '{{ metric }}' as metric_code, cast({{ metric }} as double precision) as value
    from {{ ref('fct_' ~ table) }}
    where {{ metric }} is not null
    {{- '\n    union all' if not (loop.last and last_table) }}
    {%- endfor %}
    {%- endfor %}

),

cell_problems as (

    select
        coalesce(wide.cell, long.cell) as cell,
        case
            when long.cell is null then 'in a wide table, not in fct_metric_values'
            when wide.cell is null then 'in fct_metric_values, not in its wide table'
            when wide.value <> long.value
                then 'wide table ' || wide.value || ', fct_metric_values ' || long.value
            when long.sources_agreeing < 1 then 'no source agrees with the selected value'
        end as problem

    from (select {{ hash_pair('province_period_id', 'metric_code') }} as cell, value from wide_values) as wide
    full outer join (
        select {{ hash_pair('province_period_id', 'metric_code') }} as cell, value, sources_agreeing
        from long_values
    ) as long
        on wide.cell = long.cell

),

named_cell_problems as (

    select distinct
        named.province_period_id,
        named.metric_code,
        cell_problems.problem

    from (
        select province_period_id, metric_code from wide_values
        union all
        select province_period_id, metric_code from long_values
    ) as named
    inner join cell_problems
        on {{ hash_pair('named.province_period_id', 'named.metric_code') }} = cell_problems.cell
    where cell_problems.problem is not null

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
    where not exists (
        select 1 from {{ ref('fct_metric_values') }} as metric_values
        where selected_facts.fact_id = metric_values.fact_id
    )

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

select * from named_cell_problems
union all
select * from selected_problems
union all
select * from count_problems
