{#-
    What DuckDB and PostgreSQL spell differently, behind adapter.dispatch: the models read the same on
    both targets (dbt build, and dbt build --target postgres) and give the same rows. Everything else
    in the models is SQL both accept (`double precision`, not DuckDB's `double`).
-#}

{#- A stated figure rounded to `digits` decimal places (a column; negative: tens, hundreds), as a
    double. PostgreSQL rounds only numeric; DuckDB rounds a decimal only to constant places. -#}
{% macro round_to(value, digits) -%}
    {{ return(adapter.dispatch('round_to', 'cchc')(value, digits)) }}
{%- endmacro %}

{% macro default__round_to(value, digits) -%}
    round({{ value }}, {{ digits }})
{%- endmacro %}

{% macro postgres__round_to(value, digits) -%}
    cast(round(cast({{ value }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}

{#- A double as its shortest exact text, without a trailing .0: 83, 85.78, 0.5 (PostgreSQL writes
    it so; DuckDB writes 83.0). -#}
{% macro number_text(value) -%}
    {{ return(adapter.dispatch('number_text', 'cchc')(value)) }}
{%- endmacro %}

{% macro default__number_text(value) -%}
    regexp_replace(cast({{ value }} as varchar), '\.0$', '')
{%- endmacro %}

{% macro postgres__number_text(value) -%}
    cast({{ value }} as text)
{%- endmacro %}

{#- Text compared byte by byte, whatever the database's collation: ties broken on fact_id or
    lists ordered by id come out in the same order on every server (DuckDB compares bytes). -#}
{% macro bytewise(expression) -%}
    {{ return(adapter.dispatch('bytewise', 'cchc')(expression)) }}
{%- endmacro %}

{% macro default__bytewise(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__bytewise(expression) -%}
    ({{ expression }}) collate "C"
{%- endmacro %}

{#- A 64-bit hash of two text columns: joins on it hold less memory than on the texts. -#}
{% macro hash_pair(first, second) -%}
    {{ return(adapter.dispatch('hash_pair', 'cchc')(first, second)) }}
{%- endmacro %}

{% macro default__hash_pair(first, second) -%}
    hash({{ first }}, {{ second }})
{%- endmacro %}

{% macro postgres__hash_pair(first, second) -%}
    hashtextextended({{ first }} || '|' || {{ second }}, 0)
{%- endmacro %}

{#- How many items a list separated by one character has ('a,b,c': 3; null: null). Both engines
    have list functions, under other names and types: counting separators reads the same on both. -#}
{% macro list_length(text, separator="','") -%}
    (length({{ text }}) - length(replace({{ text }}, {{ separator }}, '')) + 1)
{%- endmacro %}

{#- A computed double rounded to a constant number of decimal places, as a person would from its
    decimal value: 100 × 70,1 / 80 = 87,625 gives 87,63 (the double is 87,62499…, which a float
    round makes 87,62). Both targets accept this as written. -#}
{% macro round_decimal(value, places) -%}
    cast(round(cast({{ value }} as decimal(38, 10)), {{ places }}) as double precision)
{%- endmacro %}
