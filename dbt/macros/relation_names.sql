{#-
    DuckDB names a database after its file. The pipeline builds into warehouse/build/<run>.duckdb and
    then renames the file, so a view that said "<run>"."staging"."x" would break once published.
    ref() and source() therefore render schema.table only; every relation lives in the one file.
-#}
{% macro ref() %}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {{ return(relation.include(database=False)) }}
{% endmacro %}

{% macro source() %}
    {%- set relation = builtins.source(*varargs, **kwargs) -%}
    {{ return(relation.include(database=False)) }}
{% endmacro %}
