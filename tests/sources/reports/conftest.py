"""Reports arrive in the same landing folder as the one-stop exports: the same `landing` fixture."""

from tests.sources.onestop.conftest import landing  # noqa: F401 (a fixture, used by name)
