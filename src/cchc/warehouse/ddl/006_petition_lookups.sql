-- The nightly re-pull of open petitions (cchc.sources.portal.open_petitions) looks petitions up
-- by province and receipt time; without this it reads all of raw.portal_petitions every night.
create index if not exists portal_petitions_province_received_idx
on raw.portal_petitions (province_code, received_at);
