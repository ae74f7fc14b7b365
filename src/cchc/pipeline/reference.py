"""The weekly reference refresh: rebuild the seed CSVs from their packages."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def rebuild_seed_files() -> dict[str, int]:
    """`python -m cchc.reference.build_seeds`: admin units, succession, VN calendar."""
    from cchc.reference import build_seeds

    counts = build_seeds.build()
    log.info("reference seed files rebuilt: %s", counts)
    return counts
