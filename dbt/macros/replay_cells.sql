{#- Marks the input rows of a model whose config names `replay_cells` (a `where` may follow nothing
    else in its CTE): a replayed refresh narrows them to the cells its changed documents touch and
    recomputes only those cells (dagster_project/defs/warehouse/replay.py). A comment in dbt's build. -#}
{% macro replay_cells() -%}
/* cchc:replay-cells */
{%- endmacro %}
