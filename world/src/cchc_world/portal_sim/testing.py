"""The simulator for tests and the demo: start it in a thread on a free loopback port.

    from cchc_world.portal_sim.testing import running_simulator
    with running_simulator(world_dir, faults="429@0.2") as sim:
        ...  # sim.base_url, sim.stats
    url = start_in_thread(world_dir); ...; url.stop()     # url is the base URL (a str)

Other test packages can reuse the fixture: `from cchc_world.portal_sim.testing import portal_sim_factory`
in their conftest.py, then `sim = portal_sim_factory(world_dir, faults=...)`; the factory points
CCHC_PORTAL_URL at the running simulator and stops every simulator at teardown.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from cchc_world.portal_sim.server import PortalSimulator


class SimulatorURL(str):
    """The base URL of a running simulator: a plain `str` that can also stop it."""

    simulator: PortalSimulator

    def stop(self) -> None:
        self.simulator.stop()


def start_in_thread(world_dir: Path | str, **kwargs) -> SimulatorURL:
    """Start a simulator in a background thread (port 0 → a free port) and return its base URL;
    `url.stop()` stops it, `url.simulator` is the server (stats, faults)."""
    sim = PortalSimulator(world_dir, **kwargs)
    url = SimulatorURL(sim.start())
    url.simulator = sim
    return url


@contextmanager
def running_simulator(world_dir: Path | str, **kwargs) -> Iterator[PortalSimulator]:
    sim = start_in_thread(world_dir, **kwargs).simulator
    try:
        yield sim
    finally:
        sim.stop()


@pytest.fixture
def portal_sim_factory(monkeypatch):
    started: list[PortalSimulator] = []

    def start(world_dir: Path | str, **kwargs) -> PortalSimulator:
        sim = start_in_thread(world_dir, **kwargs).simulator
        started.append(sim)
        monkeypatch.setenv("CCHC_PORTAL_URL", sim.base_url)
        return sim

    yield start
    for sim in started:
        sim.stop()
