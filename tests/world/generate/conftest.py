"""Small generated worlds shared by the generator's tests (built once per session)."""

from __future__ import annotations

from datetime import date

import pytest

from cchc_world.generate.generator import Config, generate

# crosses 2025-07-01; 11 Điện Biên was not merged, 91 An Giang = 89 An Giang + 91 Kiên Giang
SMALL = {
    "dossiers": 2500,
    "start": date(2025, 4, 1),
    "end": date(2025, 9, 30),
    "provinces": ("11", "91"),
    "seed": 7,
}


@pytest.fixture(scope="session")
def small_world(tmp_path_factory):
    out = tmp_path_factory.mktemp("world") / "w"
    stats = generate(Config(out=out, deliver_all=True, **SMALL))
    return out, stats
