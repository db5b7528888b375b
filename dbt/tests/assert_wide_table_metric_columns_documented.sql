-- Every catalog metric is a described column of its wide table fct_<fact_table>, and so is its
-- agreement count <metric>_sources_agreeing: a metric added to metric_catalog.csv becomes both
-- columns by itself, their descriptions in _marts__models.yml must follow.
{%- set documented = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values()
        if node.resource_type == 'model' and node.package_name == project_name -%}
        {%- for column_name, column in node.columns.items() if column.description -%}
            {%- do documented.append(node.name ~ '.' ~ column_name) -%}
        {%- endfor -%}
    {%- endfor -%}
{%- endif %}

with

metrics as (

    select * from {{ ref('dim_metric') }}

),

documented_columns as (

    select unnest(cast([
        {%- for column_path in documented -%}
            '{{ column_path }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    ] as varchar[])) as column_path

),

expected_columns as (

    select 'fct_' || fact_table || '.' || metric_code as column_path
    from metrics

    union all

    select 'fct_' || fact_table || '.' || metric_code || '{{ sources_agreeing_suffix() }}' as column_path
    from metrics

),

undocumented as (

    select column_path
    from expected_columns
    where column_path not in (
        select column_path from documented_columns
    )

)

select * from undocumented
