-- The wide table of fact_table 'online_services' (macros/wide_mart.sql).
{{ wide_mart('online_services') }}
