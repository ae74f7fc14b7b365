"""Source B: the National Public Service Portal API (docs/SOURCES.md) into raw.portal_*.

`client` (OAuth2, retries), `paging` (de-duplication, count checks), `records` (lenient typing),
`watermarks` (incremental windows), `pull` (the entry points the DAGs call).
"""
