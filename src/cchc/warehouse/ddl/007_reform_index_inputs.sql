-- Inputs of Decision 766's sub-indicators (contracts of this round): schema 1.3's three
-- per-dossier flags (null in a 1.2 export: unknown, not 0), the catalogue's transparency dates
-- and flags, petitions' reactions, and service-results' level. The published groups and metrics
-- stay in service-results' `record` (staging unnests them); the flat group scores are gone.
alter table raw.onestop_hoso
add column if not exists duoc_tai_su_dung smallint,
add column if not exists duoc_lay_tu_kho_dlcn smallint,
add column if not exists co_su_dung_du_lieu_dan_cu smallint;

alter table raw.portal_formalities
add column if not exists legal_basis_effective_date date,
add column if not exists published_at timestamptz,
add column if not exists content_complete boolean,
add column if not exists has_online_payment boolean,
add column if not exists province_code text;

alter table raw.portal_petitions
add column if not exists likes integer,
add column if not exists dislikes integer,
add column if not exists is_repeat boolean;

alter table raw.portal_service_results
add column if not exists department_level text,
drop column if exists score_ckmb,
drop column if exists score_tdgq,
drop column if exists score_clgq,
drop column if exists score_tttt,
drop column if exists score_mdsh,
drop column if exists score_mdhl;
