-- The wide table of fact_table 'tasks' (macros/wide_mart.sql).
{{ wide_mart('tasks') }}
