-- fct_province34 shows a value exactly where its method gives one: never a partial sum, never a
-- sum of shares, scores or ranks, nor a rank among 63; a sum or a recomputed share only over every
-- predecessor.
{{ config(meta={'dagster': {'ref': {'name': 'fct_province34'}}}) }}  {#- shown as a check of fct_province34 in Dagster -#}
select
    province34_value_id,
    method,
    value,
    predecessors,
    predecessors_reporting

from {{ ref('fct_province34') }}
where (value is null) <> (method in ('partial', 'not_comparable'))
    or (method in ('sum', 'recomputed') and predecessors_reporting is distinct from predecessors)
    or (method = 'partial' and predecessors_reporting >= predecessors)
    or (method = 'same_unit' and predecessors_reporting is not null and predecessors <> 1)
