-- A fact's unit is its metric's catalog unit: the wide tables type columns by the catalog unit.
{{ config(meta={'dagster': {'ref': {'name': 'fct_report_facts'}}}) }}  {#- shown as a check of fct_report_facts in Dagster -#}
with

facts as (

    select * from {{ ref('fct_report_facts') }}

),

metrics as (

    select * from {{ ref('dim_metric') }}

),

mismatched as (

    select
        facts.fact_id,
        facts.metric_code,
        facts.unit as fact_unit,
        metrics.unit as catalog_unit

    from facts
    inner join metrics
        on facts.metric_code = metrics.metric_code
    where facts.unit is distinct from metrics.unit

)

select * from mismatched
