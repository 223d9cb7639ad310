"""The one entry point: `selvhjelp-data <command>`."""

from __future__ import annotations

import argparse
import sys


def _snapshot_server(args) -> int:
    from snapshot.server import serve_forever

    faults = dict(f.split("=", 1) for f in args.fault)
    serve_forever(port=args.port, epoch=args.epoch, faults=faults)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selvhjelp-data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    snap = commands.add_parser("snapshot-server", help="serve the bundled site snapshot on 127.0.0.1")
    snap.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    snap.add_argument("--epoch", type=int, default=1, help="1: the site as captured; 2: the change scenarios")
    snap.add_argument("--fault", action="append", default=[], metavar="PATH=KIND",
                      help="misbehave on PATH (or * for every path): 500, 503, slow, truncated, oversized, "
                           "redirect_loop, offsite_redirect, binary, malformed, robots_disallow")
    snap.set_defaults(handler=_snapshot_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
