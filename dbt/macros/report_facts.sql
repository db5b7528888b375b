{#- The columns of a report fact, shared by fct_report_facts and fct_report_facts_history. -#}
{% macro report_fact_columns() -%}
        fact_id,
        document_id,
        province_id,
        province_code,
        period_id,
        year,
        period_code,
        metric_code,
        fact_table,
        value,
        unit,
        qualifier,
        fact_kind,
        is_selected,
        invalid_reason,
        evidence,
        span_start,
        span_end,
        rule_id,
        extractor_version,
        confidence
{%- endmacro %}
