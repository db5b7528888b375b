-- The wide table of fact_table 'staffing' (macros/wide_mart.sql).
{{ wide_mart('staffing') }}
