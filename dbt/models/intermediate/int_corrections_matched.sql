-- What each row of corrections.csv matches: the current document it names (a file of the reports
-- folder, or a document_id) and, for reject and set, the facts of that
-- document with its metric, province, year and period. A correction is applied only when that is
-- exactly one fact (an add: when the document states no such fact yet).
with

corrections as (

    select * from {{ ref('stg_raw__corrections') }}

),

documents as (

    select * from {{ ref('int_documents_unioned') }}

),

facts as (

    select * from {{ ref('stg_raw__facts') }}

),

resolved as (

    select
        corrections.*,
        coalesce(by_id.document_id, by_path.document_id) as document_id

    from corrections
    left join documents as by_id
        on corrections.document = by_id.document_id
        and by_id.status = 'current'
    left join documents as by_path
        on corrections.document = by_path.file_path
        and by_path.status = 'current'

),

matched as (

    select
        resolved.correction_id,
        count(facts.fact_id) as matches,
        min(facts.fact_id) as first_fact_id,
        string_agg(facts.fact_id, ',' order by {{ bytewise('facts.fact_id') }}) as matched_fact_ids

    from resolved
    left join facts
        on resolved.document_id = facts.document_id
        and resolved.province_code = facts.province_code
        and resolved.year = facts.year
        and resolved.period_code = facts.period_code
        and resolved.metric_code = facts.metric_code
    group by resolved.correction_id

),

judged as (

    select
        resolved.*,
        cast(matched.matches as integer) as matches,
        matched.matched_fact_ids,
        case
            when resolved.problem is not null then 'malformed'
            when resolved.document_id is null then 'document_not_found'
            when resolved.action = 'add' and matched.matches > 0 then 'already_extracted'
            when resolved.action = 'add' then 'applied'
            when matched.matches = 0 then 'no_match'
            when matched.matches > 1 then 'several_matches'
            else 'applied'
        end as status,
        matched.first_fact_id

    from resolved
    inner join matched
        on resolved.correction_id = matched.correction_id

),

final as (

    select
        correction_id,
        line,
        action,
        document,
        metric_code,
        province,
        province_code,
        year,
        period_code,
        value,
        reason,
        author,
        correction_date,
        problem,
        document_id,
        matches,
        matched_fact_ids,
        status,
        -- the fact a reject or set applies to
        case when status = 'applied' and action <> 'add' then first_fact_id end as fact_id

    from judged

)

select * from final
