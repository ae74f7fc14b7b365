"""`cchc` console script. Each subcommand lives in its own module under cchc.commands,
discovered at start-up, so adding a command never touches this file."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from cchc import commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cchc", description=__doc__.splitlines()[0])
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"cchc.commands.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except ModuleNotFoundError as exc:
        # generate, demo, portal-sim and the local stack's deliveries run on the synthetic world, a
        # development package the production image does not install (world/README.md)
        if not (exc.name or "").startswith("cchc_world"):
            raise
        print(
            f"cchc {args.command}: needs the synthetic world package (cchc_world), which production "
            "installs leave out; in a checkout, `make venv` installs it (uv pip install -e world)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
