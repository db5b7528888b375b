-- Every fact, extracted from a report or taken from a reference table, in one shape.
with

extracted_facts as (

    select * from {{ ref('stg_raw__facts') }}

),

reference_facts as (

    select * from {{ ref('int_reference_index_facts_unpivoted') }}

),

unioned as (

    select * from extracted_facts
    union all by name
    select * from reference_facts

)

select * from unioned
