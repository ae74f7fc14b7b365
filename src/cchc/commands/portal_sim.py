"""`cchc portal-sim [--world DIR] [--port N] [--faults PLAN]` — serve the portal API on loopback."""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

from cchc.settings import DEMO_PORTAL_CLIENT_ID, DEMO_PORTAL_CLIENT_SECRET, get_settings


def register(sub) -> None:
    parser = sub.add_parser(
        "portal-sim", help="serve the National Public Service Portal API from a world (127.0.0.1 only)"
    )
    parser.add_argument("--world", type=Path, help="world folder (default: the settings' world_dir)")
    parser.add_argument("--port", type=int, default=None, help="port (default: the one in CCHC_PORTAL_URL)")
    parser.add_argument(
        "--faults",
        default=None,
        help="fault plan: JSON file or text, a spec like '429@0.1,hang@0.02:payments', or 'demo'",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the fault draws")
    parser.add_argument("--token-ttl", type=float, default=3600.0, help="token lifetime in seconds")
    parser.set_defaults(func=run)


def run(args) -> int:
    from urllib.parse import urlparse

    from cchc_world.portal_sim.faults import FaultPlan, FaultPlanError
    from cchc_world.portal_sim.server import PortalSimulator

    settings = get_settings()
    world = (args.world or settings.world_dir).resolve()
    if not (world / "portal").is_dir():
        print(f"no portal data under {world}/portal (run `cchc generate` first)", file=sys.stderr)
        return 2
    port = args.port if args.port is not None else (urlparse(settings.portal_base_url).port or 8765)
    try:
        plan = FaultPlan.parse(args.faults, seed=args.seed)
    except (FaultPlanError, ValueError, OSError) as exc:
        print(f"bad --faults: {exc}", file=sys.stderr)
        return 2
    # a simulator of synthetic data: it accepts the configured credentials, else the demo ones
    client_id = settings.portal_client_id or DEMO_PORTAL_CLIENT_ID
    client_secret = settings.portal_client_secret or DEMO_PORTAL_CLIENT_SECRET
    sim = PortalSimulator(
        world,
        port=port,
        faults=plan,
        token_ttl=args.token_ttl,
        client_id=client_id,
        client_secret=client_secret,
    )
    logging.getLogger(__name__).info(
        "portal simulator on %s serving %s (%d fault rules); Ctrl-C stops it",
        sim.base_url,
        world,
        len(plan.rules),
    )
    with contextlib.suppress(KeyboardInterrupt):
        sim.serve_forever()
    return 0
