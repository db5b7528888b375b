-- One row per row of the analysts' corrections.csv: what it says, what it matched and whether it
-- was applied; a row not applied says why (status, problem).
with

corrections as (

    select * from {{ ref('int_corrections_matched') }}

),

final as (

    select
        correction_id,
        line,
        action,
        document,
        document_id,
        metric_code,
        province,
        province_code,
        year,
        period_code,
        value,
        reason,
        author,
        correction_date,
        status,
        status = 'applied' as is_applied,
        case status
            when 'malformed' then problem
            when 'document_not_found'
                then 'no current document ' || document || ' (a file of the reports folder, or a document_id)'
            when 'no_match' then 'the document states no figure of that metric, province and period'
            when 'several_matches'
                then 'the document states ' || matches || ' figures of that metric, province and period: '
                    || matched_fact_ids
            when 'already_extracted'
                then 'the document already states that figure (' || matched_fact_ids || '): use set'
        end as problem,
        matches,
        matched_fact_ids,
        case
            when status <> 'applied' then null
            when action = 'add' then document_id || ':correction:' || correction_id
            else fact_id
        end as fact_id

    from corrections

)

select * from final
