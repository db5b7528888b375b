-- Each fact gets the province unit in force at the end of its period: the 63-unit set up to
-- 30 Jun 2025, the 34-unit set from 1 Jul 2025, falling back to the 63-unit code when the code
-- does not exist after the merger (e.g. Hòa Bình 17 in a report on 2025).
-- Each fact is resolved on its own: incremental by document (macros/changed.sql).
{{ incremental_by(['document_id']) }}
with

facts as (

    select * from {{ ref('int_facts_unioned') }}
    where {{ changed_only(['document_id']) }}

),

documents as (

    select * from {{ ref('int_documents_unioned') }}

),

provinces as (

    select * from {{ ref('int_provinces_unioned') }}

),

facts_dated as (

    select
        facts.*,
        cast(facts.year as varchar) || '-' || facts.period_code as period_id,
        case
            -- a ytd report ends on its unstated reporting date: its publication bounds it
            when facts.period_code = 'ytd'
                and documents.published_date < {{ period_end_date('facts.year', 'facts.period_code') }}
                then documents.published_date
            else {{ period_end_date('facts.year', 'facts.period_code') }}
        end as province_resolved_on

    from facts
    left join documents
        on facts.document_id = documents.document_id

),

resolved as (

    select
        facts_dated.*,
        coalesce(in_force.province_id, fallback_63.province_id) as province_id,
        coalesce(in_force.province_name_vi, fallback_63.province_name_vi) as province_name_vi,
        -- the set of provinces of the fact's period (63, or 34 from 1 Jul 2025): bounds its ranks
        case when facts_dated.province_resolved_on >= (
            select min(valid_from) from provinces where generation = 34
        ) then 34 else 63 end as province_generation

    from facts_dated
    left join provinces as in_force
        on facts_dated.province_code = in_force.province_code
        and facts_dated.province_resolved_on >= in_force.valid_from
        and facts_dated.province_resolved_on <= coalesce(in_force.valid_to, date '9999-12-31')
    left join provinces as fallback_63
        on facts_dated.province_code = fallback_63.province_code
        and fallback_63.generation = 63

)

select * from resolved
