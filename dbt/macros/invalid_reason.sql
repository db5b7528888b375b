{# Why a figure cannot be what its metric measures (NULL when it can): below the catalog's
   valid_min, above its valid_max, or a rank beyond the provinces of its period. #}
{% macro invalid_reason(value, unit, metric_code, catalog, generation) -%}
    case
        when {{ value }} < {{ catalog }}.valid_min
            then 'below ' || {{ number_text(catalog ~ '.valid_min') }} || ', the least valid '
                || {{ metric_code }}
        when {{ unit }} = 'rank' and {{ value }} > {{ generation }}
            then 'a rank beyond the ' || {{ generation }} || ' provinces of its period'
        when {{ value }} > {{ catalog }}.valid_max
            then 'above ' || {{ number_text(catalog ~ '.valid_max') }} || ', the greatest valid '
                || {{ metric_code }}
    end
{%- endmacro %}
