-- The wide table of fact_table 'legal_documents' (macros/wide_mart.sql).
{{ wide_mart('legal_documents') }}
