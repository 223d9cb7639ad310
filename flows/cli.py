"""The one entry point: `selvhjelp-data <command>`."""

from __future__ import annotations

import argparse
import sys


def _snapshot_server(args) -> int:
    from snapshot.server import serve_forever

    faults = dict(f.split("=", 1) for f in args.fault)
    serve_forever(port=args.port, epoch=args.epoch, faults=faults)
    return 0


def _run(args) -> int:
    from flows.prefect_env import configure

    configure()
    from flows.pipeline import selvhjelp_pipeline

    release = selvhjelp_pipeline(
        source=args.source,
        start_urls=args.start_url or None,
        output_dir=args.output,
        allow_shrink=args.allow_shrink,
        snapshot_epoch=args.epoch,
        snapshot_dir=args.snapshot_dir,
    )
    print(f"published release: {release}")
    return 0


def _serve(args) -> int:
    from flows.serve import serve

    return serve(cron=args.cron, source=args.source, start_urls=args.start_url or None, output_dir=args.output)


def _publish(args) -> int:
    from pathlib import Path

    from publish.git_repo import publish_release_to_git
    from selvhjelp_data.settings import load_settings

    layout = load_settings(output_dir=Path(args.output) if args.output else None).layout
    if not layout.latest.exists():
        raise RuntimeError(f"no release to publish: {layout.latest} does not exist (run `selvhjelp-data run` first)")
    result = publish_release_to_git(layout.latest, args.to, args.branch, layout.publish_workdir(args.to))
    print(result.message)
    return 0


def _add_run_options(parser) -> None:
    parser.add_argument(
        "--source",
        choices=("live", "snapshot"),
        default="live",
        help="live: selvhjelp.no (default); snapshot: the bundled snapshot, served on 127.0.0.1 for the run",
    )
    parser.add_argument(
        "--start-url",
        action="append",
        default=[],
        metavar="URL",
        help="crawl another copy of the site (a mirror, a staging server) from this URL, recording its URLs as they are",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="where releases and state go (default: output/, or SELVHJELP_OUTPUT_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selvhjelp-data", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="one flow run: crawl, transform, validate, publish")
    _add_run_options(run)
    run.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if live pages or documents fell by more than half, or a table emptied",
    )
    run.add_argument(
        "--epoch", type=int, default=1, help=argparse.SUPPRESS
    )  # snapshot state to serve (demos, benchmarks)
    run.add_argument(
        "--snapshot-dir", default=None, help=argparse.SUPPRESS
    )  # another site folder to serve (benchmarks)
    run.set_defaults(handler=_run)

    serve = commands.add_parser("serve", help="run the flow on a cron schedule (a Prefect deployment)")
    _add_run_options(serve)
    serve.add_argument("--cron", default=None, help='cron schedule, e.g. "0 6 * * *" (default from settings)')
    serve.set_defaults(handler=_serve)

    pub = commands.add_parser("publish", help="push the latest release into a git data repository")
    pub.add_argument(
        "--to",
        required=True,
        metavar="GIT-URL",
        help="the data repository (URL or path); credentials from the environment or git's credential helper",
    )
    pub.add_argument("--output", default=None, metavar="DIR", help="publishes DIR/latest (default: output/)")
    pub.add_argument("--branch", default="main", help="branch to commit to (default: main)")
    pub.set_defaults(handler=_publish)

    snap = commands.add_parser("snapshot-server", help="serve the bundled site snapshot on 127.0.0.1")
    snap.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    snap.add_argument("--epoch", type=int, default=1, help="1: the site as captured; 2: the change scenarios")
    snap.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="PATH=KIND",
        help="misbehave on PATH (or * for every path): 500, 503, slow, truncated, oversized, "
        "redirect_loop, offsite_redirect, binary, malformed, robots_disallow",
    )
    snap.set_defaults(handler=_snapshot_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # one clear line (or one per failed expectation), not a traceback
        print(f"selvhjelp-data {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
