-- Every batch the pipeline met, from the ledger: what arrived, what was loaded, and why not.
-- BI reads it: the file's name, not its path in the landing area (stg_audit__batches leaves that to
-- the ledger). Its contract (_quality__models.yml) fixes the columns.

select * from {{ ref('stg_audit__batches') }}
