{#- incremental_strategy='merge_by_unique_index' (the per-dossier models, dbt_project.yml): dbt's merge,
    with the planner told to look each new row up in the target's unique index on the key.
    Left to itself PostgreSQL hashes the night's rows (~800k at 10M, 250 MB wide, past work_mem: four
    batches spilled to disk) and reads the whole 10M-row target against them. Probing the index once
    per row writes nothing to disk and needs no hash memory: measured on the 10M warehouse, 800k rows
    (460k new) into fct_dossier went from 50.6 s to 24.3 s, into stg_onestop__dossiers from 30.9 s to
    17.3 s. SET LOCAL ends with the model's transaction, so the select that built the rows, the
    hooks and every other model keep the planner's own choice. Every model using this strategy
    has a unique index on its unique_key (its indexes config). -#}
{% macro get_incremental_merge_by_unique_index_sql(arg_dict) -%}
    set local enable_hashjoin = off;
    set local enable_mergejoin = off;
    {{ get_incremental_merge_sql(arg_dict) }}
{%- endmacro %}
