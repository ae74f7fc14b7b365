{#- Batches that changed what staging sees since the previous run of an incremental model: accepted or
    superseded after the model's stored watermark (`_batches_seen_at`, the ledger's latest finish time
    when that run started). A superseded batch counts too: its rows leave staging, so every key it
    carried must be recomputed from the remaining accepted rows. -#}
{% macro changed_batch_ids(entity) -%}
    select b.batch_id
    from {{ source('audit', 'batches') }} as b
    where
        b.entity = '{{ entity }}'
        and b.status in ('accepted', 'superseded')
        and b.finished_at > (select coalesce(max(t._batches_seen_at), '-infinity'::timestamptz) from {{ this }} as t)
{%- endmacro %}

{#- The ledger's latest finish time now: stored on every row a run writes (see changed_batch_ids). -#}
{% macro batches_watermark() -%}
    (select coalesce(max(w.finished_at), '-infinity'::timestamptz) from {{ source('audit', 'batches') }} as w)
{%- endmacro %}
