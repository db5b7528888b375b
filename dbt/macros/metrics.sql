{#- Catalog units whose values are whole numbers; every other unit is decimal. -#}
{% macro integer_units() %}
    {{ return(['count', 'rank']) }}
{% endmacro %}

{% macro metric_value_type(unit) -%}
    case when {{ unit }} in ('{{ integer_units() | join("', '") }}') then 'integer' else 'decimal' end
{%- endmacro %}

{#- The catalog metrics of a fact table (metric_code, unit), in the catalog's row order (DuckDB
    keeps insertion order for a scan without order by; PostgreSQL's scan of the seed table, written
    by inserts alone, returns it in that order too); empty while parsing. -#}
{% macro catalog_metrics(fact_table) %}
    {#- ref() outside the guard so that parsing records the dependency -#}
    {%- set catalog = ref('stg_reference__metric_catalog') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- if load_relation(catalog) is none -%}
        {{ exceptions.raise_compiler_error(
            "catalog_metrics: " ~ catalog ~ " does not exist yet; build it first (dbt build does)") }}
    {%- endif -%}
    {%- set query -%}
        select metric_code, unit
        from {{ catalog }}
        where fact_table = '{{ fact_table }}'
    {%- endset -%}
    {%- set metrics = run_query(query) -%}
    {%- if metrics | length == 0 -%}
        {{ exceptions.raise_compiler_error("catalog_metrics: no catalog metric has fact_table " ~ fact_table) }}
    {%- endif -%}
    {{ return(metrics) }}
{% endmacro %}

{#-
    One column per catalog metric of a fact table, named as the metric code: bigint for integer
    units, double otherwise. Read from the catalog when the model runs, so a metric added to
    metric_catalog.csv becomes a column without editing any model. Columns follow the catalog's row
    order. Use inside a group by over facts that hold at most one selected value per metric.
-#}
{% macro pivot_metrics(fact_table, metric_column='metric_code', value_column='value') %}
    {%- set metrics = catalog_metrics(fact_table) -%}
    {%- if not execute -%}
        {{ return('null as metric_columns') }}
    {%- endif -%}
    {%- for metric in metrics %}
        cast(
            max(case when {{ metric_column }} = '{{ metric['metric_code'] }}' then {{ value_column }} end)
            as {{ 'bigint' if metric['unit'] in integer_units() else "double precision" }}
        ) as {{ metric['metric_code'] }}{{ ',' if not loop.last }}
    {%- endfor %}
{% endmacro %}
