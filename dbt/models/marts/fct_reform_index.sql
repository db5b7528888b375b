-- The wide table of fact_table 'reform_index' (macros/wide_mart.sql).
{{ wide_mart('reform_index') }}
