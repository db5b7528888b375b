{#- Marks the input rows of a model whose config names `replay_cells`; put it after the `from` of
    the input's CTE, with nothing after it: a replayed refresh puts a `where` there, narrowing the
    input to the cells its changed documents touch, and recomputes only those cells
    (dagster_project/defs/warehouse/replay.py). In dbt's own build it is a comment. -#}
{% macro replay_cells() -%}
/* cchc:replay-cells */
{%- endmacro %}
