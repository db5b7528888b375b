-- The wide table of fact_table 'budget' (macros/wide_mart.sql).
{{ wide_mart('budget') }}
