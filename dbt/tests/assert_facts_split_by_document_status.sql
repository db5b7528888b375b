-- No fact lost, doubled or changed on its way through the models: every fact read from a report
-- (raw.facts) or taken from a reference table is in exactly one of fct_report_facts (its document
-- is current) and fct_report_facts_history (superseded or withdrawn), with the value it was read
-- with. Which of the two is the models' one filter on the document status, not checked again here.
{{ config(meta={'dagster': {'ref': {'name': 'fct_report_facts'}}}) }}  {#- shown as a check of fct_report_facts in Dagster -#}
with

raw_facts as (

    select * from {{ source('raw', 'facts') }}

),

reference_facts as (

    select * from {{ ref('int_reference_index_facts_unpivoted') }}

),

report_facts as (

    select * from {{ ref('fct_report_facts') }}

),

history_facts as (

    select * from {{ ref('fct_report_facts_history') }}

),

stated as (

    select fact_id, value from raw_facts
    union all
    select fact_id, value from reference_facts

),

placed as (

    -- an analyst's set value is not a change on the way: the value read is kept beside it
    select fact_id, coalesce(value_extracted, value) as value, 'fct_report_facts' as placed_in
    from report_facts
    union all
    select fact_id, coalesce(value_extracted, value) as value, 'fct_report_facts_history' as placed_in
    from history_facts

),

stated_placed as (

    select
        stated.fact_id,
        count(placed.fact_id) as placements,
        string_agg(placed.placed_in, ', ' order by placed.placed_in) as placed_in,
        coalesce(bool_or(placed.value is distinct from stated.value), false) as value_changed

    from stated
    left join placed
        on stated.fact_id = placed.fact_id
    group by stated.fact_id

),

problems as (

    select
        fact_id,
        placed_in,
        case
            when placements <> 1 then 'fact in ' || placements || ' tables, not 1'
            when value_changed then 'value changed on the way'
        end as problem

    from stated_placed

)

select * from problems
where problem is not null
