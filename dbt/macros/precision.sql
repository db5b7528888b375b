{#- The power of ten a stated figure is precise to: its last decimal place (85.78 -> -2,
    85.8 -> -1, 2046 -> 0). A whole number stated exactly is a count to the unit (2000 -> 0: 19 and
    20 tasks disagree); one stated with a qualifier (khoảng, gần, hơn, dưới: about, more_than,
    less_than) is rounded to its last non-zero digit, as significant_digits reads it
    (khoảng 2.000 -> 3). -#}
{% macro stated_precision_exponent(value, qualifier) -%}
    case
        when {{ value }} is null then null
        when {{ value }} <> trunc({{ value }}) then
            -length(rtrim(split_part(
                cast(cast(abs({{ value }}) as decimal(38, 10)) as varchar), '.', 2), '0'))
        when {{ value }} = 0 or {{ qualifier }} is not distinct from 'exact' then 0
        else
            length(cast(cast(abs({{ value }}) as decimal(38, 0)) as varchar))
            - length(rtrim(cast(cast(abs({{ value }}) as decimal(38, 0)) as varchar), '0'))
    end
{%- endmacro %}

{#- Two stated figures agree when they are equal once both are rounded to 10^exponent, the
    precision of the less precise one (the greater stated_precision_exponent): 85.78 and 85.8
    agree at -1 (85.8 = 85.8), 85.78 and 85.7 do not. The rounded values are multiples of
    10^exponent, so "equal" is tested as closer than half of it, free of floating-point noise. -#}
{% macro values_agree_at(value_a, value_b, exponent) -%}
    (abs({{ round_to(value_a, 'cast(-(' ~ exponent ~ ') as integer)') }}
        - {{ round_to(value_b, 'cast(-(' ~ exponent ~ ') as integer)') }})
        < 0.5 * power(10, {{ exponent }}))
{%- endmacro %}
