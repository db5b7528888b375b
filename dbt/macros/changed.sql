{#-
    Incremental models build again only what the documents changed since the last build touch.
    The Python stages list them (dagster_project/state.py, copy_facts): raw.changed_documents (new,
    changed, superseded or withdrawn documents) and raw.changed_cells, the (province_code, year,
    metric_code) their facts had before the change or have now. A selection, an agreement count or
    a wide-table row depends only on the facts of its cell, so a model keyed by cells deletes its
    rows of the changed cells (pre_hook: delete_changed) and inserts them computed again from the
    facts of those cells (where changed_only); in a fresh build file it is built whole.
-#}

{#- Configures the calling model as incremental by `columns`: document_id, or some of the cell's
    (province_code, year, metric_code). -#}
{% macro incremental_by(columns) -%}
    {{ config(
        materialized="incremental",
        incremental_strategy="append",
        pre_hook="{{ delete_changed(" ~ columns ~ ") }}",
    ) }}
{%- endmacro %}

{#- The rows of `this` whose `columns` match a changed cell (or, for document_id, a changed
    document): deleted before the model's select inserts them again. -#}
{% macro delete_changed(columns) -%}
    {%- if is_incremental() -%}
        delete from {{ this }} where {{ changed_only(columns) }}
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

{#- A condition on a select's rows: true in a full build, else the rows of changed cells. -#}
{% macro changed_only(columns, prefix='') -%}
    {%- if is_incremental() -%}
        {%- set names = columns | map('string') | list -%}
        {%- set table = 'changed_documents' if names == ['document_id'] else 'changed_cells' -%}
        ({% for column in names %}{{ prefix }}{{ column }}{{ ', ' if not loop.last }}{% endfor %})
            in (select {{ names | join(', ') }} from {{ source('raw', table) }})
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}
