-- Every fact is in exactly one of fct_report_facts (its document is current) and
-- fct_report_facts_history (its document is superseded or withdrawn): none lost, none kept in the
-- marts once its document is no longer current.
{{ config(meta={'dagster': {'ref': {'name': 'fct_report_facts'}}}) }}  {#- shown as a check of fct_report_facts in Dagster -#}
with

facts as (

    select * from {{ ref('int_facts_selected') }}

),

report_facts as (

    select * from {{ ref('fct_report_facts') }}

),

history_facts as (

    select * from {{ ref('fct_report_facts_history') }}

),

documents as (

    select * from {{ ref('dim_document') }}

),

placed as (

    select fact_id, document_id, 'fct_report_facts' as placed_in from report_facts
    union all
    select fact_id, document_id, 'fct_report_facts_history' as placed_in from history_facts

),

misplaced as (

    select
        placed.fact_id,
        placed.placed_in,
        documents.status as document_status,
        'document status does not match the table' as problem

    from placed
    left join documents
        on placed.document_id = documents.document_id
    where (placed.placed_in = 'fct_report_facts') is distinct from (documents.status = 'current')

),

placed_counts as (

    select fact_id, count(*) as placements
    from placed
    group by fact_id

),

lost_or_doubled as (

    select
        facts.fact_id,
        cast(null as varchar) as placed_in,
        facts.document_status,
        'fact in ' || coalesce(placed_counts.placements, 0) || ' tables, not 1' as problem

    from facts
    left join placed_counts
        on facts.fact_id = placed_counts.fact_id
    where coalesce(placed_counts.placements, 0) <> 1

)

select * from misplaced
union all
select * from lost_or_doubled
