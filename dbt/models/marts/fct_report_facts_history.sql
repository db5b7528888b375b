-- Facts of documents no longer current (superseded by a new version of their file, or withdrawn
-- with it): out of fct_report_facts and the wide tables, never selected, still queryable. A fact
-- whose document has no status lands here too, where the accepted_values test names it.
with

facts as (

    select * from {{ ref('int_facts_selected') }}

),

history_facts as (

    select * from facts
    where document_status is distinct from 'current'

),

final as (

    select
        {{ report_fact_columns() }},
        document_status

    from history_facts

)

select * from final
