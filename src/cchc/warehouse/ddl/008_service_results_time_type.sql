-- service-results now arrives for two time types: the month's evaluation and the year to date
-- (timeType=year, January to the month). Rows loaded before this are month evaluations.
alter table raw.portal_service_results
add column if not exists time_type text not null default 'month';
