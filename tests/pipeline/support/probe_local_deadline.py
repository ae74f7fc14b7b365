"""Run in a subprocess by test_local_deadline: a local metadata DB, the project's DAG synced to it,
and runs created the way `dag.test()` creates them, to see `settle_deadlines` do the scheduler's
part. Writes what happened as JSON to argv[1]."""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime, timedelta


def main() -> None:
    from cchc.pipeline import local_airflow
    from cchc.settings import get_settings

    settings = get_settings()
    local_airflow.prepare_environment(settings)
    local_airflow.ensure_metadata_db()

    from airflow.dag_processing.bundles.manager import DagBundlesManager
    from airflow.dag_processing.dagbag import BundleDagBag, sync_bag_to_db
    from airflow.models import DagRun
    from airflow.models.deadline import Deadline
    from airflow.sdk.timezone import utcnow
    from airflow.serialization.serialized_objects import DagSerialization
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType
    from sqlalchemy import select

    from cchc.pipeline.dates import LOCAL, run_after_for
    from cchc.pipeline.local_airflow import load_dag, settle_deadlines

    manager = DagBundlesManager()
    manager.sync_bundles_to_db()
    for bundle in manager.get_all_dag_bundles():
        if not bundle.is_initialized:
            bundle.initialize()
        sync_bag_to_db(BundleDagBag(dag_folder=bundle.path, bundle_path=bundle.path, bundle_name=bundle.name),
                       bundle.name, bundle.version)  # fmt: skip
    dag = load_dag("cchc_nightly", settings)
    served = DagSerialization.deserialize_dag(DagSerialization.serialize_dag(dag))
    out: dict = {}
    # tonight: the business date is today (local), so its 06:00 is still ahead
    today = datetime.now(LOCAL).date()
    for case, shift in (("met", 0), ("missed", 1)):
        day = today
        run_after = run_after_for(day)
        # two runs of tonight's night (a logical date is unique per DAG: a minute apart)
        start = datetime.combine(day, datetime.min.time(), tzinfo=LOCAL) + timedelta(minutes=shift)
        with create_session() as session:
            run = served.create_dagrun(
                run_id=f"probe_{case}_{day}",
                logical_date=start,
                data_interval=(start, run_after),
                run_after=run_after,
                conf=None,
                run_type="manual",
                state=DagRunState.RUNNING,
                triggered_by=DagRunTriggeredByType.TEST,
                triggering_user_name="probe",
                start_date=utcnow(),
                session=session,
            )
            session.flush()
            deadlines = session.scalars(select(Deadline).where(Deadline.dagrun_id == run.id)).all()
            out[f"{case}_deadlines_created"] = len(deadlines)
            if case == "missed":
                # created before its morning, which has passed since: a night that did not make it
                for d in deadlines:
                    d.deadline_time = utcnow() - timedelta(minutes=1)
                run.state = DagRunState.FAILED
            else:
                run.state = DagRunState.SUCCESS
            run.end_date = datetime.now(UTC)
        out[case] = settle_deadlines("cchc_nightly", f"probe_{case}_{day}")
        with create_session() as session:
            run = session.scalar(select(DagRun).where(DagRun.run_id == f"probe_{case}_{day}"))
            out[f"{case}_left"] = [
                bool(d.missed) for d in session.scalars(select(Deadline).where(Deadline.dagrun_id == run.id))
            ]
    with open(sys.argv[1], "w") as fh:
        json.dump(out, fh)


if __name__ == "__main__":
    os.environ.setdefault("CCHC_DEMO", "1")
    main()
