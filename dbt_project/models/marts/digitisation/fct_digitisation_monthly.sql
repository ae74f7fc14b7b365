-- Digitisation per unit × month: digitised components and VNeID-verified accounts among new dossiers
-- received in the month; electronic results among dossiers resolved in the month.
-- Incremental by month like its input (macros/monthly_incremental/): rebuilds the months its input
-- can have changed since the last run.
-- depends_on: {{ ref('log_dossier_month_versions') }}

{{ monthly_unit_fact('digitisation', counted_when='received_total > 0 or resolved_total > 0') }}
