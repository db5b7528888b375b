-- Ten scorecard queries over the published warehouse: `bench/run.py` times them (BI latency),
-- `tests/test_bench.py` runs each on a small published warehouse. The first five are the scorecard
-- queries of docs/bi.md, as written there; the other five are what a provincial dashboard asks.
-- Each query starts at a line `-- query: <name>` and runs as is in DuckDB 1.x, read-only.

-- query: par_index_rank_over_years
select
    year,
    par_index_score,
    par_index_rank,
    lag(par_index_rank) over (order by year) - par_index_rank as places_gained
from fct_reform_index
where province_code = '12' and period_code = 'year' and par_index_rank is not null
order by year

-- query: gov_tasks_on_time_share
select
    province_name_vi,
    period_id,
    gov_tasks_assigned,
    gov_tasks_completed_on_time,
    round(100.0 * gov_tasks_completed_on_time / gov_tasks_assigned, 1) as on_time_share_pct,
    gov_tasks_completed_on_time_pct as stated_on_time_share_pct
from fct_tasks
where gov_tasks_assigned > 0 and gov_tasks_completed_on_time is not null
order by period_id, province_name_vi

-- query: online_dossier_share
select
    province_name_vi,
    period_id,
    online_dossier_rate_pct,
    online_dossier_rate_level3_pct,
    online_dossier_rate_level4_pct
from fct_online_services
where coalesce(
    online_dossier_rate_pct, online_dossier_rate_level3_pct, online_dossier_rate_level4_pct
) is not null
order by period_id, province_name_vi

-- query: budget_revenue_against_plan
select
    province_name_vi,
    period_id,
    state_revenue_plan_million_vnd,
    state_revenue_million_vnd,
    round(100.0 * state_revenue_million_vnd / state_revenue_plan_million_vnd, 2) as revenue_pct_of_plan,
    state_revenue_pct_of_plan as stated_revenue_pct_of_plan
from fct_budget
where state_revenue_million_vnd is not null or state_revenue_pct_of_plan is not null
order by period_id, province_name_vi

-- query: staff_cuts_against_target
with

actuals as (
    unpivot (
        select
            province_id, province_name_vi, period_id, civil_servant_positions_reduced,
            public_employee_positions_reduced, public_service_units_reduced, organizations_reduced
        from fct_staffing
    )
    on civil_servant_positions_reduced, public_employee_positions_reduced,
        public_service_units_reduced, organizations_reduced
    into name metric_code value achieved
),

targets as (
    select province_id, period_id, metric_code, max(value) as target
    from fct_report_facts
    where fact_kind = 'target'
    group by province_id, period_id, metric_code
)

select
    actuals.province_name_vi,
    actuals.period_id,
    actuals.metric_code,
    actuals.achieved,
    targets.target,
    round(100.0 * actuals.achieved / targets.target, 1) as pct_of_target
from actuals
left join targets using (province_id, period_id, metric_code)
order by actuals.period_id, actuals.province_name_vi, actuals.metric_code

-- query: par_index_league_table
with latest as (
    select max(year) as year
    from fct_reform_index
    where period_code = 'year' and par_index_score is not null
)

select
    province.region_vi,
    reform.province_name_vi,
    reform.year,
    reform.par_index_score,
    reform.par_index_rank,
    rank() over (partition by province.region_vi order by reform.par_index_score desc) as rank_in_region,
    reform.sipas_score_pct,
    reform.sipas_rank
from fct_reform_index as reform
join latest using (year)
join dim_province as province on province.province_id = reform.province_id
where reform.period_code = 'year' and reform.par_index_score is not null
order by reform.par_index_rank nulls last, reform.province_name_vi

-- query: dossiers_on_time_by_region
select
    procedures.period_id,
    province.generation,
    coalesce(province.region_vi, province.province_name_vi) as region_or_province,
    count(*) as provinces,
    sum(procedures.dossiers_received) as dossiers_received,
    sum(procedures.dossiers_late) as dossiers_late,
    round(avg(procedures.dossiers_on_time_pct), 2) as mean_on_time_pct,
    round(
        sum(procedures.dossiers_received * procedures.dossiers_on_time_pct)
        / nullif(sum(procedures.dossiers_received) filter (where procedures.dossiers_on_time_pct is not null), 0),
        2
    ) as dossier_weighted_on_time_pct
from fct_procedures as procedures
join dim_province as province on province.province_id = procedures.province_id
group by all
order by procedures.period_id, province.generation, region_or_province

-- query: findings_per_province
select
    coalesce(province.province_name_vi, 'national') as province_name_vi,
    issues.check_name,
    issues.severity,
    count(*) as issues,
    count(distinct issues.period_id) as periods,
    max(issues.period_id) as latest_period_id,
    string_agg(distinct issues.metric_codes, '; ') as metric_codes
from data_quality_issues as issues
left join dim_province as province on province.province_id = issues.province_id
group by all
order by issues desc, province_name_vi, issues.check_name

-- query: sources_by_document_type
select
    fact.year,
    document.doc_type,
    count(distinct fact.document_id) as documents,
    count(*) as facts,
    count(*) filter (where fact.is_selected) as selected_facts,
    round(100.0 * count(*) filter (where fact.is_selected) / count(*), 1) as selected_share_pct,
    count(*) filter (where fact.fact_kind = 'target') as target_facts,
    count(distinct fact.province_id) as provinces
from fct_report_facts as fact
join dim_document as document on document.document_id = fact.document_id
group by all
order by fact.year desc, documents desc, document.doc_type

-- query: province_period_profile
with keys as (
    select province_id, period_id from fct_tasks
    union select province_id, period_id from fct_procedures
    union select province_id, period_id from fct_online_services
    union select province_id, period_id from fct_budget
    union select province_id, period_id from fct_staffing
    union select province_id, period_id from fct_legal_documents
    union select province_id, period_id from fct_reform_index
)

select
    province.province_name_vi,
    period.label_vi as period_label,
    tasks.cchc_plan_completion_pct,
    tasks.gov_tasks_completed_on_time_pct,
    procedures.procedures_total,
    procedures.dossiers_on_time_pct,
    online.online_dossier_rate_pct,
    budget.public_investment_disbursed_pct,
    staffing.staff_streamlined,
    legal.legal_docs_issued_province,
    reform.par_index_score,
    reform.par_index_rank
from keys
join dim_province as province on province.province_id = keys.province_id
join dim_period as period on period.period_id = keys.period_id
left join fct_tasks as tasks on tasks.province_id = keys.province_id and tasks.period_id = keys.period_id
left join fct_procedures as procedures
    on procedures.province_id = keys.province_id and procedures.period_id = keys.period_id
left join fct_online_services as online
    on online.province_id = keys.province_id and online.period_id = keys.period_id
left join fct_budget as budget on budget.province_id = keys.province_id and budget.period_id = keys.period_id
left join fct_staffing as staffing
    on staffing.province_id = keys.province_id and staffing.period_id = keys.period_id
left join fct_legal_documents as legal
    on legal.province_id = keys.province_id and legal.period_id = keys.period_id
left join fct_reform_index as reform
    on reform.province_id = keys.province_id and reform.period_id = keys.period_id
order by province.province_name_vi, period.start_date
