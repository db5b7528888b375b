-- Both generations of province-level units, each with the dates it was in force.
with

provinces_63 as (

    select * from {{ ref('stg_reference__provinces_63') }}

),

provinces_34 as (

    select * from {{ ref('stg_reference__provinces_34') }}

),

province_merger as (

    select * from {{ ref('stg_reference__province_merger') }}

),

predecessors as (

    select
        new_province_code,
        string_agg('63-' || old_province_code, ',' order by {{ bytewise('old_province_code') }})
            as predecessor_province_ids

    from province_merger
    group by new_province_code

),

-- A 34-unit's region: the one its predecessors share; where they span two (7 units), that of the
-- predecessor seating the new administrative centre, whose code the unit carries (reference/NOTES.md).
regions_34 as (

    select
        province_merger.new_province_code,
        any_value(provinces_63.region_vi)
            filter (where provinces_63.province_code = province_merger.new_province_code) as region_vi,
        any_value(provinces_63.region_en)
            filter (where provinces_63.province_code = province_merger.new_province_code) as region_en,
        case
            when count(*) = 1 then 'unchanged'
            when count(distinct provinces_63.region_vi) = 1 then 'all_predecessors'
            else 'administrative_center'
        end as region_basis

    from province_merger
    inner join provinces_63
        on province_merger.old_province_code = provinces_63.province_code
    group by province_merger.new_province_code

),

units_63 as (

    select
        '63-' || provinces_63.province_code as province_id,
        63 as generation,
        provinces_63.province_code,
        provinces_63.province_name_vi,
        provinces_63.province_name_ascii,
        provinces_63.unit_type,
        provinces_63.region_vi,
        provinces_63.region_en,
        'gso' as region_basis,
        cast(null as varchar) as administrative_center,
        -- Hà Tây merged into Hà Nội on 1 Aug 2008 (Nghị quyết 15/2008/QH12)
        date '2008-08-01' as valid_from,
        date '2025-06-30' as valid_to,
        '34-' || province_merger.new_province_code as successor_province_id,
        cast(null as varchar) as predecessor_province_ids

    from provinces_63
    left join province_merger
        on provinces_63.province_code = province_merger.old_province_code

),

units_34 as (

    select
        '34-' || provinces_34.province_code as province_id,
        34 as generation,
        provinces_34.province_code,
        provinces_34.province_name_vi,
        provinces_34.province_name_ascii,
        provinces_34.unit_type,
        regions_34.region_vi,
        regions_34.region_en,
        regions_34.region_basis,
        provinces_34.administrative_center,
        -- Nghị quyết 202/2025/QH15: the merged local governments began on 1 Jul 2025
        date '2025-07-01' as valid_from,
        cast(null as date) as valid_to,
        cast(null as varchar) as successor_province_id,
        predecessors.predecessor_province_ids

    from provinces_34
    left join predecessors
        on provinces_34.province_code = predecessors.new_province_code
    left join regions_34
        on provinces_34.province_code = regions_34.new_province_code

),

unioned as (

    select * from units_63
    union all
    select * from units_34

)

select * from unioned
