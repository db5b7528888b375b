-- The wide table of fact_table 'procedures' (macros/wide_mart.sql).
{{ wide_mart('procedures') }}
