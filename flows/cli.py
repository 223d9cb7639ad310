"""The one entry point: `selvhjelp-data <command>`.

Every failure ends with one line on stderr that says what failed (and, for a run, where its log
file is) and a non-zero exit; tracebacks go to the log file, never to the terminal. SIGTERM and
Ctrl-C stop a run within seconds: the crawl child is killed, nothing is published, and the
previous release and `latest` stay as they were.
"""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path

from flows.stop import STOPPED, STOPPED_LINE, signals, stop_on_signals
from selvhjelp_data import __version__

log = logging.getLogger("flows.cli")


def _run(args) -> int:
    from flows.console import send_logs
    from flows.prefect_env import configure
    from flows.targets import check_run_input
    from publish.notify import check_targets
    from selvhjelp_data.settings import load_settings

    settings = load_settings(output_dir=Path(args.output) if args.output else None)
    check_run_input(settings, args.source, args.start_url or None)
    check_targets(settings.notify)
    log_file = settings.layout.run_log(datetime.now(UTC))
    args.log_file = log_file
    configure(one_off=True)
    from flows.pipeline import selvhjelp_pipeline  # imports Prefect, which sets up logging

    send_logs(log_file)
    outcome = selvhjelp_pipeline(
        source=args.source,
        start_urls=args.start_url or None,
        output_dir=args.output,
        allow_shrink=args.allow_shrink,
        snapshot_epoch=args.epoch,
        snapshot_dir=args.snapshot_dir,
    )
    print("\n".join(outcome.lines()))
    return 0


def _serve(args) -> int:
    from flows.serve import check_cron, serve
    from flows.targets import check_run_input
    from publish.notify import check_targets
    from selvhjelp_data.settings import load_settings

    # what the scheduled runs would refuse, refused now: not at the first run, hours later
    settings = load_settings(output_dir=Path(args.output) if args.output else None)
    check_run_input(settings, args.source, args.start_url or None)
    check_targets(settings.notify)
    check_cron(args.cron or settings.cron, "--cron" if args.cron else "SELVHJELP_CRON")
    return serve(
        cron=args.cron, source=args.source, start_urls=args.start_url or None, output_dir=args.output, port=args.port
    )


def _publish(args) -> int:
    from publish.git_repo import check_target, publish_release_to_git
    from selvhjelp_data.settings import load_settings

    check_target(args.to, args.branch)
    layout = load_settings(output_dir=Path(args.output) if args.output else None).layout
    if not layout.latest.exists():
        raise RuntimeError(f"no release to publish: {layout.latest} does not exist (run `selvhjelp-data run` first)")
    result = publish_release_to_git(layout.latest, args.to, args.branch, layout.publish_workdir(args.to))
    print(result.message)
    return 0


def _check(args) -> int:
    from publish.check import check_release

    checks = check_release(Path(args.release))
    print("\n".join(c.line() for c in checks))
    failed = [c.name for c in checks if c.problems]
    if failed:
        raise RuntimeError(f"{len(failed)} of {len(checks)} checks failed ({', '.join(failed)})")
    return 0


def _browse(args) -> int:
    from flows.browse import browse
    from selvhjelp_data.settings import load_settings

    release = Path(args.release) if args.release else load_settings().layout.latest
    return browse(release, args.host, args.port, open_browser=not args.no_open)


def _snapshot_server(args) -> int:
    from snapshot.server import Fault, serve_forever

    faults = {}
    for fault in args.fault:
        path, _, kind = fault.partition("=")
        if not path or kind not in {f.value for f in Fault}:
            raise ValueError(f"--fault {fault!r}: give PATH=KIND, KIND one of {', '.join(f.value for f in Fault)}")
        faults[path] = kind
    serve_forever(port=args.port, epoch=args.epoch, faults=faults)
    return 0


def _add_run_options(parser) -> None:
    parser.add_argument(
        "--source",
        choices=("live", "snapshot"),
        default="live",
        help="live: selvhjelp.no (default); snapshot: the bundled snapshot, served on 127.0.0.1",
    )
    parser.add_argument(
        "--start-url",
        action="append",
        default=[],
        metavar="URL",
        help="crawl another copy of the site (a mirror, a staging server) from this URL, "
        "recording its URLs as they are",
    )
    parser.add_argument(
        "--output",
        default=None,
        metavar="DIR",
        help="where releases and state go: an empty folder or one with earlier releases "
        "(default: output/, or SELVHJELP_OUTPUT_DIR)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selvhjelp-data", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser(
        "run",
        help="one flow run: crawl, transform, validate, publish",
        epilog="examples: selvhjelp-data run --source snapshot   ·   selvhjelp-data run --output /srv/selvhjelp-data",
    )
    _add_run_options(run)
    run.add_argument(
        "--allow-shrink", action="store_true", help="publish even if more than half of the live pages are gone"
    )
    run.add_argument("--epoch", type=int, default=1, help=argparse.SUPPRESS)  # snapshot state (demos, benchmarks)
    run.add_argument("--snapshot-dir", default=None, help=argparse.SUPPRESS)  # another site folder (benchmarks)
    run.set_defaults(handler=_run)

    serve = commands.add_parser(
        "serve",
        help="run the flow on a cron schedule (a Prefect deployment)",
        epilog='example: selvhjelp-data serve --cron "0 6 * * *"   (every morning at 06:00)',
    )
    _add_run_options(serve)
    serve.add_argument("--cron", default=None, help='cron schedule, e.g. "0 6 * * *" (default from settings)')
    serve.add_argument(
        "--port",
        type=int,
        default=None,
        help="port of its own Prefect server and UI (default 4200, SELVHJELP_SERVE_PORT)",
    )
    serve.set_defaults(handler=_serve)

    pub = commands.add_parser(
        "publish",
        help="push the latest release into a git data repository",
        epilog="example: selvhjelp-data publish --to git@github.com:you/selvhjelp-data-releases.git",
    )
    pub.add_argument(
        "--to",
        required=True,
        metavar="GIT-URL",
        help="the data repository (URL or path); credentials from the environment or git's credential helper",
    )
    pub.add_argument("--output", default=None, metavar="DIR", help="publishes DIR/latest (default: output/)")
    pub.add_argument(
        "--branch",
        default=None,
        help="branch to commit to (default: the repository's default branch, what a clone checks out)",
    )
    pub.set_defaults(handler=_publish)

    look = commands.add_parser(
        "browse",
        help="look at a release in a web browser (Datasette)",
        epilog="example: selvhjelp-data browse output/releases/20261125T060000Z --port 8002",
    )
    look.add_argument(
        "release", nargs="?", default=None, metavar="RELEASE", help="a release folder (default: output/latest)"
    )
    look.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    look.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    look.add_argument("--no-open", action="store_true", help="do not open a web browser")
    look.set_defaults(handler=_browse)

    check = commands.add_parser(
        "check",
        help="check a downloaded release: checksums, the data package (Frictionless), the catalogue (DCAT-AP-NO)",
        epilog="example: selvhjelp-data check output/latest   (or a clone of the data repository)",
    )
    check.add_argument("release", metavar="RELEASE", help="a release folder, or a clone of the data repository")
    check.set_defaults(handler=_check)

    snap = commands.add_parser(
        "snapshot-server",
        help="serve the bundled site snapshot on 127.0.0.1",
        epilog="example: selvhjelp-data snapshot-server --port 8765 --epoch 2 --fault /kontakt/=503",
    )
    snap.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (0: any free port)")
    snap.add_argument(
        "--epoch", type=int, default=1, help="1: the site as captured; 2: the change scenarios; 3: events scenarios"
    )
    snap.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="PATH=KIND",
        help="misbehave on PATH (or * for every path): 404, 500, 503, slow, truncated, oversized, "
        "redirect_loop, offsite_redirect, binary, malformed, robots_disallow, empty, wrong_charset, maintenance, "
        "soft_404, 302",
    )
    snap.set_defaults(handler=_snapshot_server)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    args.log_file = None
    stop_on_signals()
    try:
        return args.handler(args)
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM
        return _stopped(args)
    except Exception as error:  # one clear line (or one per failed expectation), the traceback in the log
        if signals or _after_a_signal(error):  # how a stop surfaced (a temporary server that went with it)
            return _stopped(args)
        where = ""
        if args.log_file:  # logging goes to the run's log file from the moment it has one
            log.error("%s failed", args.command, exc_info=True, extra={"console": False})
            where = f"  [log: {args.log_file}]"
        print(f"selvhjelp-data {args.command}: {error}{where}", file=sys.stderr)
        return 1


def _after_a_signal(error: BaseException | None) -> bool:
    """Prefect turns SIGTERM into TerminationSignal; a later error (its API server gone) may hide it."""
    seen = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, KeyboardInterrupt) or type(error).__name__ == "TerminationSignal":
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


def _stopped(args) -> int:
    print(f"selvhjelp-data {args.command}: {STOPPED_LINE}", file=sys.stderr)
    return STOPPED


if __name__ == "__main__":
    sys.exit(main())
