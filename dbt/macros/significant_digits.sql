{#- Significant digits of a number as written: 2046 -> 4, 2000 -> 1, 96.62 -> 4, 0.5 -> 1.
    Ranks "the most precise value" among equal sources. -#}
{% macro significant_digits(value) -%}
    length(trim(both '0' from replace({{ number_text('abs(' ~ value ~ ')') }}, '.', '')))
{%- endmacro %}
