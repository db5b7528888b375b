{#- The calendar of a reporting period (year | H1 | 9M | Q1..Q4 | ytd), used by dim_period and by
    province resolution so both read one rule. A ytd report runs to an unknown reporting date: its
    bounds are the whole year. -#}

{% macro period_start_date(year, period_code) -%}
    case {{ period_code }}
        when 'Q2' then make_date({{ year }}, 4, 1)
        when 'Q3' then make_date({{ year }}, 7, 1)
        when 'Q4' then make_date({{ year }}, 10, 1)
        else make_date({{ year }}, 1, 1)
    end
{%- endmacro %}

{% macro period_end_date(year, period_code) -%}
    case {{ period_code }}
        when 'Q1' then make_date({{ year }}, 3, 31)
        when 'H1' then make_date({{ year }}, 6, 30)
        when 'Q2' then make_date({{ year }}, 6, 30)
        when '9M' then make_date({{ year }}, 9, 30)
        when 'Q3' then make_date({{ year }}, 9, 30)
        else make_date({{ year }}, 12, 31)
    end
{%- endmacro %}

{#- A key that sorts periods in time order: yyyymm of the period's last day and a digit that puts
    the shorter of two periods ending the same month first (2023-Q2 2023061, 2023-H1 2023062,
    2023-9M 2023092, 2023-Q4 2023121, 2023-ytd 2023122, 2023-year 2023123: a ytd report runs to an
    unstated date, at most the whole year). period_id does not ("2023-9M" sorts before "2023-H1"). -#}
{% macro period_sort_key(year, period_code) -%}
    {{ year }} * 1000 + case {{ period_code }}
        when 'Q1' then 31
        when 'Q2' then 61
        when 'H1' then 62
        when 'Q3' then 91
        when '9M' then 92
        when 'Q4' then 121
        when 'ytd' then 122
        when 'year' then 123
    end
{%- endmacro %}

{% macro period_label_vi(year, period_code) -%}
    case {{ period_code }}
        when 'year' then 'Năm '
        when 'H1' then '6 tháng đầu năm '
        when '9M' then '9 tháng đầu năm '
        when 'Q1' then 'Quý I/'
        when 'Q2' then 'Quý II/'
        when 'Q3' then 'Quý III/'
        when 'Q4' then 'Quý IV/'
        when 'ytd' then 'Từ đầu năm đến thời điểm báo cáo '
    end || cast({{ year }} as varchar)
{%- endmacro %}
