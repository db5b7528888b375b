-- In every wide table, <metric>_sources_agreeing is filled exactly where <metric> is, and is at
-- least 1 (the selected fact's own document agrees with it); conflicting_metrics lies between 0
-- and fact_count. One check per catalog metric, read from the catalog like the columns.
{{ config(meta={'dagster': {'ref': {'name': 'fct_tasks'}}}) }}  {#- shown as a check of fct_tasks in Dagster -#}
{%- set tables = ['tasks', 'procedures', 'online_services', 'budget', 'staffing', 'reform_index',
                  'legal_documents'] %}

with

{% for table in tables -%}
{%- set relation = ref('fct_' ~ table) %}
{{ table }}_problems as (

    {%- for metric in catalog_metrics(table) %}
    {%- set value = metric['metric_code'] %}
    {%- set agreeing = metric['metric_code'] ~ sources_agreeing_suffix() %}

    select
        'fct_{{ table }}' as table_name,
        province_period_id,
        '{{ agreeing }} = ' || coalesce(cast({{ agreeing }} as varchar), 'null')
        || ' where {{ value }} = ' || coalesce(cast({{ value }} as varchar), 'null') as problem

    from {{ relation }}
    where ({{ value }} is null) <> ({{ agreeing }} is null)
        or {{ agreeing }} < 1

    union all
    {%- endfor %}

    select
        'fct_{{ table }}' as table_name,
        province_period_id,
        'conflicting_metrics = ' || conflicting_metrics || ' outside 0..' || fact_count as problem

    from {{ relation }}
    where conflicting_metrics not between 0 and fact_count

),

{% endfor -%}

problems as (

    {%- for table in tables %}
    select * from {{ table }}_problems
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

)

select * from problems
