-- The series on the footing of the 34 units of 1 July 2025: one row per 34-unit × period × metric
-- that the unit, or one of the 63 units it was formed from, has a selected value for.
--   same_unit   the unit's own figure, or that of its only predecessor
--   sum         an additive metric (catalog `additive`) that every predecessor reported, summed
--   recomputed  a share recomputed from its predecessors' summed numerator and base (catalog
--               share_numerator, share_base: the first alternative every predecessor has)
--   partial     no value: an additive metric some predecessor did not report
--   not_comparable  no value: a share, score or count of procedures of a merged unit, which do
--               not add up; or a rank before the merger, a rank among 63, not among 34
-- A partial sum is never the unit's figure.
with

selected as (

    select * from {{ ref('int_facts_selected') }}
    where is_selected
        and province_id is not null

),

provinces as (

    select * from {{ ref('dim_province') }}

),

catalog as (

    select * from {{ ref('stg_reference__metric_catalog') }}

),

periods as (

    select * from {{ ref('dim_period') }}

),

units as (

    select
        province_id as unit_id,
        province_code,
        province_name_vi,
        cast({{ list_length('predecessor_province_ids') }} as integer) as predecessors

    from provinces
    where generation = 34

),

-- each selected value with the 34-unit it is of, or went into
placed as (

    select
        coalesce(provinces.successor_province_id, selected.province_id) as unit_id,
        provinces.generation,
        selected.province_id,
        selected.period_id,
        selected.metric_code,
        selected.value,
        selected.fact_id

    from selected
    inner join provinces
        on selected.province_id = provinces.province_id

),

own as (

    select
        unit_id,
        period_id,
        metric_code,
        value,
        'same_unit' as method,
        cast(null as integer) as predecessors_reporting,
        province_id as source_province_ids,
        fact_id as source_fact_ids

    from placed
    where generation = 34

),

from_predecessors as (

    select
        unit_id,
        period_id,
        metric_code,
        count(*) as reporting,
        sum(value) as summed,
        any_value(value) as only_value,
        string_agg(province_id, ',' order by {{ bytewise('province_id') }}) as source_province_ids,
        string_agg(fact_id, ',' order by {{ bytewise('province_id') }}) as source_fact_ids

    from placed
    where generation = 63
    group by unit_id, period_id, metric_code

),

-- positions in a catalog list (share_base): no list has more items than characters
positions as (

    select cast(position as integer) as position
    from generate_series(1, (select max(length(share_base)) from catalog)) as positions (position)

),

-- a share's base, by alternative (share_base 'a|b+c': a, or b + c), per predecessor and period
share_alternatives as (

    select
        catalog.metric_code,
        catalog.share_numerator,
        positions.position as alternative_rank,
        split_part(catalog.share_base, '|', positions.position) as alternative

    from catalog
    inner join positions
        on positions.position <= {{ list_length('catalog.share_base', "'|'") }}
    where catalog.share_numerator is not null
        and catalog.share_base is not null

),

share_base_parts as (

    select
        share_alternatives.metric_code as share_code,
        share_alternatives.share_numerator,
        share_alternatives.alternative_rank,
        split_part(share_alternatives.alternative, '+', positions.position) as part_code,
        {{ list_length('share_alternatives.alternative', "'+'") }} as parts

    from share_alternatives
    inner join positions
        on positions.position <= {{ list_length('share_alternatives.alternative', "'+'") }}

),

predecessor_bases as (

    select
        placed.unit_id,
        placed.province_id,
        placed.period_id,
        share_base_parts.share_code,
        share_base_parts.share_numerator,
        share_base_parts.alternative_rank,
        sum(placed.value) as base

    from share_base_parts
    inner join placed
        on placed.metric_code = share_base_parts.part_code
        and placed.generation = 63
    inner join catalog as part_catalog
        on share_base_parts.part_code = part_catalog.metric_code
    where part_catalog.additive
    group by
        placed.unit_id,
        placed.province_id,
        placed.period_id,
        share_base_parts.share_code,
        share_base_parts.share_numerator,
        share_base_parts.alternative_rank,
        share_base_parts.parts
    having count(*) = share_base_parts.parts

),

recomputable as (

    select
        bases.unit_id,
        bases.period_id,
        bases.share_code as metric_code,
        bases.alternative_rank,
        count(*) as reporting,
        100.0 * sum(numerators.value) / nullif(sum(bases.base), 0) as recomputed

    from predecessor_bases as bases
    inner join placed as numerators
        on numerators.province_id = bases.province_id
        and numerators.period_id = bases.period_id
        and numerators.metric_code = bases.share_numerator
    inner join catalog as numerator_catalog
        on bases.share_numerator = numerator_catalog.metric_code
    where numerator_catalog.additive
    group by bases.unit_id, bases.period_id, bases.share_code, bases.alternative_rank

),

-- of the alternatives every predecessor has, the first
recomputed_ranked as (

    select
        recomputable.*,
        row_number() over (
            partition by recomputable.unit_id, recomputable.period_id, recomputable.metric_code
            order by recomputable.alternative_rank
        ) as alternative_order

    from recomputable
    inner join units
        on recomputable.unit_id = units.unit_id
    where recomputable.reporting = units.predecessors

),

recomputed as (

    select * from recomputed_ranked
    where alternative_order = 1

),

judged as (

    select
        from_predecessors.*,
        recomputed.recomputed,
        recomputed.reporting as recomputed_from,
        case
            when catalog.unit = 'rank' then 'not_comparable'
            when units.predecessors = 1 then 'same_unit'
            when catalog.additive and from_predecessors.reporting = units.predecessors then 'sum'
            when recomputed.recomputed is not null then 'recomputed'
            when catalog.additive then 'partial'
            else 'not_comparable'
        end as method

    from from_predecessors
    inner join units
        on from_predecessors.unit_id = units.unit_id
    left join catalog
        on from_predecessors.metric_code = catalog.metric_code
    left join recomputed
        on from_predecessors.unit_id = recomputed.unit_id
        and from_predecessors.period_id = recomputed.period_id
        and from_predecessors.metric_code = recomputed.metric_code
    -- the unit's own figure for the period, where there is one, is its figure
    where not exists (
        select 1 from own
        where from_predecessors.unit_id = own.unit_id
            and from_predecessors.period_id = own.period_id
            and from_predecessors.metric_code = own.metric_code
    )

),

combined as (

    select
        unit_id,
        period_id,
        metric_code,
        case method
            when 'same_unit' then only_value
            when 'sum' then summed
            when 'recomputed' then recomputed
        end as value,
        method,
        -- a recomputed share: the predecessors whose numerator and base it was built from
        cast(case when method = 'recomputed' then recomputed_from else reporting end as integer)
            as predecessors_reporting,
        source_province_ids,
        source_fact_ids

    from judged

),

unioned as (

    -- the same columns in the same order
    select * from own
    union all
    select * from combined

),

final as (

    select
        unioned.unit_id || '|' || unioned.period_id || '|' || unioned.metric_code as province34_value_id,
        unioned.unit_id as province_id,
        units.province_code,
        units.province_name_vi,
        unioned.period_id,
        periods.year,
        periods.period_code,
        periods.end_date as period_end_date,
        periods.period_sort_key,
        unioned.metric_code,
        catalog.unit,
        unioned.value,
        unioned.method,
        units.predecessors,
        unioned.predecessors_reporting,
        unioned.source_province_ids,
        unioned.source_fact_ids

    from unioned
    inner join units
        on unioned.unit_id = units.unit_id
    left join periods
        on unioned.period_id = periods.period_id
    left join catalog
        on unioned.metric_code = catalog.metric_code

)

select * from final
