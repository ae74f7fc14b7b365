"""The documentation sites an operator opens: GX Data Docs (validation results) and dbt docs
(models, columns, lineage), made to work without internet and served over HTTP by one command.

- `offline_assets`: GX pages load bootstrap, jQuery & co. from public CDNs; rewrite them to the
  copies vendored in `expectations/data_docs_vendor/`.
- `server`: `cchc docs serve`, both sites on 127.0.0.1.
"""
