-- Facts of current documents only: those of superseded or withdrawn ones are in
-- fct_report_facts_history. Row by row, so replayed by cells as int_facts_selected is.
{{ config(meta={"replay_cells": ["province_code", "province_id", "period_id", "metric_code"]}) }}
with

facts as (

    select * from {{ ref('int_facts_selected') }}
    {{ replay_cells() }}

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
