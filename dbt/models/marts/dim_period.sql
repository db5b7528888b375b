with

years as (

    select cast(range as integer) as year
    from range({{ var('dim_period_first_year') }}, {{ var('dim_period_last_year') }} + 1)

),

period_codes as (

    select * from (
        values
            ('year', 1),
            ('H1', 2),
            ('9M', 3),
            ('Q1', 4),
            ('Q2', 5),
            ('Q3', 6),
            ('Q4', 7),
            ('ytd', 8)
    ) as period_codes (period_code, period_order)

),

periods as (

    select
        cast(years.year as varchar) || '-' || period_codes.period_code as period_id,
        years.year,
        period_codes.period_code,
        {{ period_start_date('years.year', 'period_codes.period_code') }} as start_date,
        {{ period_end_date('years.year', 'period_codes.period_code') }} as end_date,
        {{ period_label_vi('years.year', 'period_codes.period_code') }} as label_vi,
        period_codes.period_order

    from years
    cross join period_codes

),

final as (

    select
        period_id,
        year,
        period_code,
        start_date,
        end_date,
        label_vi

    from periods
    order by year, period_order

)

select * from final
