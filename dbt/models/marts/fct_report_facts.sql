-- Facts of current documents only: those of superseded or withdrawn ones are in
-- fct_report_facts_history.
with

facts as (

    select * from {{ ref('int_facts_selected') }}

),

current_facts as (

    select * from facts
    where document_status = 'current'

),

final as (

    select
        {{ report_fact_columns() }}

    from current_facts

)

select * from final
