-- One row per dossier with everything the KPI rules need (docs/KPIS.md, counting rules):
--   received_date   rule 1: the date of NgayTiepNhan; statuses 1 and 3 are never received (null)
--   ended_at        rule 2: first of NgayKetThucXuLy, NgayTra, NgayTuChoi; statuses 7/8 end at NgayTuChoi
--   due_date        rule 3: NgayHenTraMoi of the latest supplement request that has one, else NgayHenTra
--   unit_key        rule 4: the unit version valid on the received date
-- Index style (Decision 766): more than one supplement request makes a dossier late; a single
-- outstanding request stops the clock at the request; days waiting for the applicant are not counted.
-- Nothing here depends on the report date. The rules' SQL is the macro dossier_timelines
-- (macros/dossier_timelines.sql). This model is a view, not a table: fct_dossier stores its rows, and
-- fct_dossier's incremental run calls the macro for its changed dossiers only. Stored, it was one
-- more merge of every changed dossier into a 10M-row table each night (bench/README.md).

{{ dossier_timelines() }}
