-- PAR INDEX and SIPAS rows as facts of the same shape as extracted ones: one fact per non-blank
-- score or rank, the CSV row itself as evidence.
with

par_index as (

    select * from {{ ref('stg_reference__par_index') }}

),

sipas as (

    select * from {{ ref('stg_reference__sipas') }}

),

metric_catalog as (

    select * from {{ ref('stg_reference__metric_catalog') }}

),

par_index_rows as (

    select
        'ref_par_index' as document_id,
        year,
        province_code,
        par_index_score,
        cast(par_index_rank as double precision) as par_index_rank,
        'par_index.csv: year=' || year
        || ', province_code=' || province_code
        || ', name_vi=' || coalesce(province_name_vi, '')
        || ', score=' || coalesce({{ number_text('par_index_score') }}, '')
        || ', rank=' || coalesce(cast(par_index_rank as varchar), '')
        || ', source_url=' || coalesce(source_url, '') as evidence

    from par_index

),

sipas_rows as (

    select
        'ref_sipas' as document_id,
        year,
        province_code,
        sipas_score_pct,
        cast(sipas_rank as double precision) as sipas_rank,
        'sipas.csv: year=' || year
        || ', province_code=' || province_code
        || ', name_vi=' || coalesce(province_name_vi, '')
        || ', score_pct=' || coalesce({{ number_text('sipas_score_pct') }}, '')
        || ', rank=' || coalesce(cast(sipas_rank as varchar), '')
        || ', source_url=' || coalesce(source_url, '') as evidence

    from sipas

),

-- one fact per non-blank cell: a rank without a score gives one fact
unpivoted as (

    {%- for rows, metric in [
        ('par_index_rows', 'par_index_score'), ('par_index_rows', 'par_index_rank'),
        ('sipas_rows', 'sipas_score_pct'), ('sipas_rows', 'sipas_rank')] %}
    select document_id, year, province_code, evidence, '{{ metric }}' as metric_code, {{ metric }} as value
    from {{ rows }}
    where {{ metric }} is not null
    {{- '\n    union all' if not loop.last }}
    {%- endfor %}

),

reference_facts as (

    select
        unpivoted.document_id || ':' || unpivoted.year || '-' || unpivoted.province_code
        || ':' || unpivoted.metric_code as fact_id,
        unpivoted.document_id,
        unpivoted.province_code,
        unpivoted.year,
        'year' as period_code,
        unpivoted.metric_code,
        unpivoted.value,
        metric_catalog.unit,
        'exact' as qualifier,
        'actual' as fact_kind,
        unpivoted.evidence,
        cast(null as integer) as span_start,
        cast(null as integer) as span_end,
        'reference_table' as rule_id,
        cast(null as varchar) as extractor_version,
        cast(1.0 as double precision) as confidence

    from unpivoted
    left join metric_catalog
        on unpivoted.metric_code = metric_catalog.metric_code

)

select * from reference_facts
