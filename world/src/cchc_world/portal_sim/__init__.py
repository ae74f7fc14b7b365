"""A local simulator of the National Public Service Portal's data API (docs/SOURCES.md).

`server.PortalSimulator` serves a generated world's `portal/` files on 127.0.0.1 with OAuth2,
paging and the faults of `faults.FaultPlan`; `testing` starts it in a thread for tests and the demo.
"""
