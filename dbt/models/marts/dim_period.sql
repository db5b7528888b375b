with

years as (

    select cast(year as integer) as year
    from generate_series({{ var('dim_period_first_year') }}, {{ var('dim_period_last_year') }}) as years (year)

),

period_codes as (

    select * from (
        values ('year'), ('H1'), ('9M'), ('Q1'), ('Q2'), ('Q3'), ('Q4'), ('ytd')
    ) as period_codes (period_code)

),

periods as (

    select
        cast(years.year as varchar) || '-' || period_codes.period_code as period_id,
        years.year,
        period_codes.period_code,
        {{ period_start_date('years.year', 'period_codes.period_code') }} as start_date,
        {{ period_end_date('years.year', 'period_codes.period_code') }} as end_date,
        {{ period_label_vi('years.year', 'period_codes.period_code') }} as label_vi,
        {{ period_sort_key('years.year', 'period_codes.period_code') }} as period_sort_key

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
        label_vi,
        period_sort_key

    from periods
    order by period_sort_key

)

select * from final
