-- Marks the one value per province × period × metric the wide tables use (is_selected): actual
-- facts only; official table first, then report, news, plan, directive, other; then the latest
-- published; then the most precise value; then the smallest fact_id.
with

facts as (

    select * from {{ ref('int_facts_province_resolved') }}

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
        documents.published_date,
        case documents.doc_type
            when 'table' then 1
            when 'report' then 2
            when 'news' then 3
            when 'plan' then 4
            when 'directive' then 5
            when 'other' then 6
            else 7
        end as doc_type_priority,
        case facts.qualifier
            when 'exact' then 1
            when 'about' then 2
            else 3
        end as qualifier_priority,
        {{ significant_digits('facts.value') }} as significant_digits

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
            partition by province_code, province_id, period_id, metric_code, fact_kind
            order by
                doc_type_priority,
                published_date desc nulls last,
                qualifier_priority,
                significant_digits desc nulls last,
                fact_id
        ) as selection_rank

    from facts_joined

),

selected as (

    select
        * exclude (published_date, doc_type_priority, qualifier_priority, significant_digits),
        fact_kind = 'actual' and selection_rank = 1 as is_selected

    from ranked

)

select * from selected
