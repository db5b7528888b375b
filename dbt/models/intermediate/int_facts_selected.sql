-- Read by ten marts: computed once, not once per mart. Selection and agreement are decided
-- within a cell: incremental by the cells of the changed documents (macros/changed.sql).
{{ incremental_by(['province_code', 'year', 'metric_code']) }}
-- Marks the one value per province × period × metric the wide tables use (is_selected), and how
-- many sources agree with it. Only facts of current documents compete; facts of superseded or
-- withdrawn documents are kept (fct_report_facts_history) but never selected nor counted.
-- Selection, among actual facts: official table first (doc_type table), then the annual report
-- (doc_type report of period year), then other reports, then news, plan, directive, other; then
-- the latest published; then the most precise (qualifier exact, about, bounds; then more
-- significant digits); then the smallest fact_id.
-- A fact an analyst rejected (corrections.csv) is never selected nor counted as agreeing.
-- Agreement: the distinct current documents with an actual fact for the same cell whose value
-- equals the selected one at the precision of the less precise of the two (precision.sql).
with

facts as (

    select * from {{ ref('int_facts_province_resolved') }}
    where {{ changed_only(['province_code', 'year', 'metric_code']) }}

),

documents as (

    select * from {{ ref('int_documents_unioned') }}

),

metric_catalog as (

    select * from {{ ref('stg_reference__metric_catalog') }}

),

facts_joined as (

    select
        facts.*,
        metric_catalog.fact_table,
        {{ invalid_reason('facts.value', 'facts.unit', 'facts.metric_code', 'metric_catalog',
                          'facts.province_generation') }}
            as invalid_reason,
        coalesce(facts.correction_action = 'reject', false) as is_rejected,
        documents.status as document_status,
        documents.status = 'current' as is_current_document,
        documents.published_date,
        case
            when documents.doc_type = 'table' then 1
            when documents.doc_type = 'report' and documents.period_code = 'year' then 2
            when documents.doc_type = 'report' then 3
            when documents.doc_type = 'news' then 4
            when documents.doc_type = 'plan' then 5
            when documents.doc_type = 'directive' then 6
            when documents.doc_type = 'other' then 7
            else 8
        end as doc_type_priority,
        case facts.qualifier
            when 'exact' then 1
            when 'about' then 2
            else 3
        end as qualifier_priority,
        {{ significant_digits('facts.value') }} as significant_digits,
        {{ stated_precision_exponent('facts.value', 'facts.qualifier') }} as precision_exponent

    from facts
    left join documents
        on facts.document_id = documents.document_id
    left join metric_catalog
        on facts.metric_code = metric_catalog.metric_code

),

ranked as (

    select
        *,
        row_number() over (
            partition by
                province_code, province_id, period_id, metric_code, fact_kind,
                -- a fact of a superseded or withdrawn document (or of an unknown one), an
                -- impossible figure or one an analyst rejected competes with nothing selectable
                coalesce(is_current_document, false),
                invalid_reason is null,
                is_rejected
            order by
                doc_type_priority,
                published_date desc nulls last,
                qualifier_priority,
                significant_digits desc nulls last,
                {{ bytewise('fact_id') }}
        ) as selection_rank

    from facts_joined

),

flagged as (

    select
        *,
        coalesce(is_current_document, false)
            and fact_kind = 'actual'
            and invalid_reason is null
            and not is_rejected
            and selection_rank = 1 as is_selected

    from ranked

),

-- each selected fact against every actual fact of a current document in its cell, itself included
compared as (

    select
        selected.fact_id,
        candidate.document_id as candidate_document_id,
        {{ values_agree_at(
            'selected.value', 'candidate.value',
            'greatest(selected.precision_exponent, candidate.precision_exponent)') }} as agrees

    from flagged as selected
    inner join flagged as candidate
        on selected.province_code is not distinct from candidate.province_code
        and selected.province_id is not distinct from candidate.province_id
        and selected.period_id = candidate.period_id
        and selected.metric_code = candidate.metric_code
    where selected.is_selected
        and candidate.is_current_document
        and candidate.fact_kind = 'actual'
        and candidate.invalid_reason is null
        and not candidate.is_rejected

),

agreement as (

    select
        fact_id,
        cast(count(distinct candidate_document_id) filter (where agrees) as integer)
            as sources_agreeing,
        cast(count(distinct candidate_document_id) filter (where not agrees) as integer)
            as sources_disagreeing

    from compared
    group by fact_id

),

final as (

    select
        -- all but the ranking's inputs (int_facts_province_resolved's columns, then the ranking's)
        flagged.fact_id,
        flagged.document_id,
        flagged.province_code,
        flagged.year,
        flagged.period_code,
        flagged.metric_code,
        flagged.value,
        flagged.unit,
        flagged.qualifier,
        flagged.fact_kind,
        flagged.evidence,
        flagged.span_start,
        flagged.span_end,
        flagged.rule_id,
        flagged.extractor_version,
        flagged.confidence,
        flagged.correction_id,
        flagged.correction_action,
        flagged.correction_reason,
        flagged.value_extracted,
        flagged.period_id,
        flagged.province_resolved_on,
        flagged.province_id,
        flagged.province_name_vi,
        flagged.fact_table,
        flagged.invalid_reason,
        flagged.document_status,
        flagged.selection_rank,
        flagged.is_selected,
        agreement.sources_agreeing,
        agreement.sources_disagreeing

    from flagged
    left join agreement
        on flagged.fact_id = agreement.fact_id

)

select * from final
