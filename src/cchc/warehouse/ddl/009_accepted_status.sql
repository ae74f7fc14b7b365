-- The ledger's verdict status is 'accepted', not 'loaded': rows are loaded into raw while the batch
-- is still pending; what validation grants is acceptance (staging reads accepted batches only).
alter table audit.batches drop constraint if exists batches_status_check;
update audit.batches set status = 'accepted'
where status = 'loaded';
alter table audit.batches add constraint batches_status_check
check (status in ('pending', 'accepted', 'quarantined', 'superseded', 'duplicate', 'failed'));
