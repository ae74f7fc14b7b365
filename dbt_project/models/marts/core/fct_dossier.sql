{{
    config(
        indexes=[
            {'columns': ['dossier_code'], 'unique': true},
            {'columns': ['_fct_run_at']},
            {'columns': ['timeliness', 'due_date']},
            {'columns': ['received_date']},
            {'columns': ['end_date']},
            {'columns': ['index_clock_end_date']},
        ],
    )
}}

-- depends_on: {{ ref('stg_onestop__dossiers') }}
-- depends_on: {{ ref('stg_onestop__supplements') }}
-- depends_on: {{ ref('stg_portal__dossier_sync') }}
-- depends_on: {{ ref('dim_date') }}
-- depends_on: {{ ref('dim_admin_unit') }}
-- depends_on: {{ ref('dim_procedure') }}
-- (an incremental run reads these through dossier_timelines(), the SQL of the view int_dossier_timelines)

-- One row per dossier, its current state, classified as of the report date (as_of_date()).
-- Incremental: only dossiers whose staging rows changed since the last run, plus open dossiers whose
-- due date has passed since (in_progress_within → in_progress_overdue), are recomputed and merged.
-- The received/end date indexes let the monthly facts read only the dossiers of the months they rebuild.

with

{% if is_incremental() %}
    -- int_dossier_timelines is a view over these three staging tables: a dossier's timeline changed
    -- when one of its staging rows was merged after this table's last run (an empty table, built
    -- before any export arrived, has none: every staging row is new to it)
    last_run as (
        select coalesce(max(t._fct_run_at), '-infinity'::timestamptz) as run_at from {{ this }} as t
    ),

    changed_dossiers as (
        select d.dossier_code from {{ ref('stg_onestop__dossiers') }} as d
        where d._stg_run_at > (select l.run_at from last_run as l)
        union
        select s.dossier_code from {{ ref('stg_onestop__supplements') }} as s
        where s._stg_run_at > (select l.run_at from last_run as l)
        union
        select y.dossier_code from {{ ref('stg_portal__dossier_sync') }} as y
        where y._stg_run_at > (select l.run_at from last_run as l)
        union
        select t.dossier_code from {{ this }} as t
        where t.timeliness = 'in_progress_within' and t.due_date < {{ as_of_date() }}
    ),
{% endif %}

-- the view's rules for the changed dossiers only (see macros/dossier_timelines.sql for why not the view)
timelines as (
    {% if is_incremental() %}
        {{ dossier_timelines(only_dossiers='changed_dossiers') }}
    {% else %}
        select i.* from {{ ref('int_dossier_timelines') }} as i
    {% endif %}
)

select
    dossier_code,
    province_code_current,
    unit_key,
    unit_code,
    procedure_key,
    procedure_code,
    field_code,
    field_name,
    citizen_key,
    channel,
    channel_code,
    online_level,
    received_at,
    received_date,
    effective_due_at::date as due_date,
    original_due_at::date as original_due_date,
    ended_at,
    end_date,
    status_code,
    case
        when received_date is null then null
        when end_date is not null and end_date <= {{ as_of_date() }}
            then
                case
                    when effective_due_at is null then 'on_time'
                    when end_date < effective_due_at::date then 'early'
                    when end_date = effective_due_at::date then 'on_time'
                    else 'late'
                end
        when effective_due_at is null or effective_due_at::date >= {{ as_of_date() }} then 'in_progress_within'
        else 'in_progress_overdue'
    end as timeliness,
    case when received_date is not null then index_timeliness end as timeliness_index,
    index_clock_end_date,
    index_due_date,
    supplement_count,
    has_outstanding_supplement,
    working_days_taken,
    is_paid_online,
    fee_vnd,
    has_digitised_components,
    has_electronic_result,
    is_vneid_verified,
    is_data_reused,
    is_personal_store_linked,
    is_population_data_used,
    is_synced_to_portal,
    updated_at,
    _batch_id as _loaded_batch_id,
    {{ run_timestamp() }} as _fct_run_at
from timelines
