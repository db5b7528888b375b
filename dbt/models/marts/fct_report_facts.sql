-- Facts of current documents only: those of superseded or withdrawn ones are in
-- fct_report_facts_history. Row by row: incremental by cells, as int_facts_selected.
{{ incremental_by(['province_code', 'year', 'metric_code']) }}
with

facts as (

    select * from {{ ref('int_facts_selected') }}
    where {{ changed_only(['province_code', 'year', 'metric_code']) }}

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
