"""cchc-warehouse: nightly CCHC reform KPIs from one-stop exports and the national portal."""

__version__ = "0.1.0"
