"""A small HTTP server that plays selvhjelp.no from the bundled snapshot, on 127.0.0.1.

Every page is served at its real path, with the status, Content-Type (and charset), Last-Modified
and redirect the manifest gives, an ETag over the body, and 304 answers to conditional requests,
so a crawl of the snapshot exercises the same HTTP the live site speaks. Fault modes make the
server misbehave on chosen paths, for the crawl's failure tests.
"""

from __future__ import annotations

import contextlib
import enum
import hashlib
import http.server
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

log = logging.getLogger("snapshot.server")

SITE_DIR = Path(__file__).parent / "site"


class Fault(enum.StrEnum):
    """Ways the server can misbehave on a path (or, with path "*", on every path)."""

    NOT_FOUND = "404"  # as if the page were gone
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    SLOW = "slow"  # answers only after `slow_seconds`, past the crawl's download timeout
    TRUNCATED = "truncated"  # promises a Content-Length, sends half of it, closes
    OVERSIZED = "oversized"  # an HTML body of `oversized_bytes`
    REDIRECT_LOOP = "redirect_loop"  # 302 to itself
    OFFSITE_REDIRECT = "offsite_redirect"  # 302 to a host that is not the site's
    BINARY = "binary"  # random bytes labelled text/html
    MALFORMED = "malformed"  # broken, unclosed HTML
    ROBOTS_DISALLOW = "robots_disallow"  # robots.txt gains "Disallow: <path>"
    EMPTY = "empty"  # 200 with a page that holds nothing (a CMS that lost its content)
    WRONG_CHARSET = "wrong_charset"  # the page's bytes under the other charset label (utf-8 <-> windows-1252)
    MAINTENANCE = "maintenance"  # 200 with a maintenance page (with "*": the whole site, as during an upgrade)
    SOFT_404 = "soft_404"  # 200 with the site's "not found" template
    TEMPORARY_REDIRECT = "302"  # 302 to the same page under TEMPORARY_PREFIX (where it answers as itself)


OFFSITE_LOCATION = "http://example.org/elsewhere/"
HTML = "text/html; charset=utf-8"
TEMPORARY_PREFIX = "/midlertidig"  # a page sent there by TEMPORARY_REDIRECT answers there as itself
MAINTENANCE_HTML = (
    "<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>Vi oppgraderer nettstedet</title></head>"
    "<body><main><h1>Vi oppgraderer nettstedet</h1><p>Selvhjelp Norge er snart tilbake. Takk for "
    "tålmodigheten!</p></main></body></html>"
).encode()
SOFT_404_HTML = (
    "<!doctype html><html lang='nb'><head><meta charset='utf-8'><title>Siden finnes ikke – Selvhjelp Norge</title>"
    "</head><body><header><nav><a href='/'>Forside</a> <a href='/kontakt/'>Kontakt</a></nav></header><main>"
    "<article><h1>Oi! Denne siden finnes ikke</h1><p>Det ser ut til at ingenting ble funnet her. Prøv et søk, "
    "eller gå til forsiden.</p></article></main><footer><p>Selvhjelp Norge, Lilletorget 1, 0184 Oslo</p></footer>"
    "</body></html>"
).encode()
MALFORMED_HTML = (
    "<html><head><title>Ødelagt side</title><body><div><h1>Ødelagt <b>side"
    "<p>Sist oppdatert: 32 februar 2021<p>Tekst uten slutt <table><tr><td>celle"
    "<ul><li>punkt<li>punkt <a href='/no/'>lenke</div></div></div>"
).encode() + b"\xff\xfe<p>"
# The faults whose answer is the same wherever they strike: (status, body, Content-Type, headers)
FIXED_ANSWERS = {
    Fault.NOT_FOUND: (404, b"<html><body><h1>404 Ikke funnet</h1></body></html>", HTML, None),
    Fault.SERVER_ERROR: (500, b"<html><body><h1>Serverfeil</h1></body></html>", HTML, None),
    Fault.UNAVAILABLE: (503, b"<html><body><h1>Serverfeil</h1></body></html>", HTML, {"Retry-After": "1"}),
    Fault.OFFSITE_REDIRECT: (302, b"", None, {"Location": OFFSITE_LOCATION}),
    Fault.MALFORMED: (200, MALFORMED_HTML, HTML, None),
    Fault.MAINTENANCE: (200, MAINTENANCE_HTML, HTML, None),
    Fault.SOFT_404: (200, SOFT_404_HTML, HTML, None),
    Fault.EMPTY: (200, b"<!doctype html><html><head><title></title></head><body></body></html>", HTML, None),
}


@dataclass(frozen=True)
class Resource:
    """What the server answers at one path in one epoch."""

    url: str
    status: int
    inline: bytes = b""  # a body given here; a snapshot's bodies stay in `file` until asked for
    content_type: str | None = None
    last_modified: datetime | None = None
    location: str | None = None
    scenario: str | None = None
    file: Path | None = None

    @property
    def body(self) -> bytes:
        """Read from its file at each answer: a generated site of 100,000 pages is a GB of bodies, and
        the server runs in the flow's process."""
        return self.file.read_bytes() if self.file else self.inline

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


@dataclass(frozen=True)
class RequestLogEntry:
    method: str
    path: str
    status: int
    bytes: int  # body bytes sent


def _path_key(url_or_path: str) -> str:
    """Compare paths by their decoded form: crawlers and browsers escape differently."""
    return unquote(urlsplit(url_or_path).path or "/")


def load_site(epoch: int = 1, site_dir: Path = SITE_DIR) -> dict[str, Resource]:
    """The resources of one epoch, keyed by decoded path."""
    manifest = json.loads((site_dir / "manifest.json").read_text(encoding="utf-8"))
    epochs = {int(e) for e in manifest.get("epochs", {"1": ""})}
    if epoch not in epochs:
        raise ValueError(f"the snapshot has no epoch {epoch}; it has {sorted(epochs)}")
    site: dict[str, Resource] = {}
    for entry in manifest["resources"]:
        if epoch not in entry["epochs"]:
            continue
        last_modified = entry.get("last_modified")
        site[_path_key(entry["url"])] = Resource(
            url=entry["url"],
            status=entry["status"],
            file=site_dir / "files" / entry["file"] if "file" in entry else None,
            content_type=entry.get("content_type"),
            last_modified=datetime.fromisoformat(last_modified.replace("Z", "+00:00")) if last_modified else None,
            location=entry.get("location"),
            scenario=entry.get("scenario"),
        )
    return site


@dataclass
class SnapshotServer:
    """The snapshot served over real HTTP on 127.0.0.1; use as a context manager.

    >>> with SnapshotServer(epoch=1) as server:
    ...     server.url  # 'http://127.0.0.1:<free port>'
    """

    epoch: int = 1
    port: int = 0
    site_dir: Path = SITE_DIR
    faults: dict[str, Fault | str] = field(default_factory=dict)
    slow_seconds: float = 5.0
    oversized_bytes: int = 12 * 1024 * 1024
    quiet: bool = True
    log: list[RequestLogEntry] = field(default_factory=list, init=False)

    def __post_init__(self) -> None:
        self.faults = {(_path_key(p) if p != "*" else p): Fault(f) for p, f in self.faults.items()}
        self._lock = threading.Lock()
        self._site = load_site(self.epoch, self.site_dir)
        self._httpd: http.server.ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> SnapshotServer:
        handler = type("Handler", (_Handler,), {"snapshot": self})
        self._httpd = _Server(("127.0.0.1", self.port), handler)
        self._httpd.daemon_threads = True
        self.port = self._httpd.server_address[1]
        # serve_forever checks for shutdown every poll_interval: 0.5 s by default, paid by every stop
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="snapshot-server", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> SnapshotServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def set_epoch(self, epoch: int) -> None:
        """Serve another state of the site from now on (the same port, as a site that changed)."""
        site = load_site(epoch, self.site_dir)
        with self._lock:
            self.epoch, self._site = epoch, site

    # -- what tests read -------------------------------------------------------------------
    def requests(self) -> list[RequestLogEntry]:
        with self._lock:
            return list(self.log)

    def clear_log(self) -> None:
        with self._lock:
            self.log.clear()

    def resource(self, path: str) -> Resource | None:
        with self._lock:
            return self._site.get(_path_key(path))

    def fault_for(self, path: str) -> Fault | None:
        return self.faults.get(_path_key(path)) or self.faults.get("*")

    def record(self, entry: RequestLogEntry) -> None:
        with self._lock:
            self.log.append(entry)
        if not self.quiet:
            log.info("%s %s %s %d", entry.method, entry.path, entry.status, entry.bytes)

    def robots_txt(self, resource: Resource) -> bytes:
        disallowed = [p for p, f in self.faults.items() if f is Fault.ROBOTS_DISALLOW and p != "*"]
        extra = "".join(f"Disallow: {p}\n" for p in disallowed)
        return resource.body.replace(b"Disallow:", extra.encode() + b"Disallow:", 1) if extra else resource.body


class _Server(http.server.ThreadingHTTPServer):
    # The default backlog of 5 drops connections when a crawler opens 16 at once; they then
    # time out on connect, which would look like a slow site.
    request_queue_size = 128


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers; every answer carries Content-Length
    # headers and body leave in two writes: with Nagle on, a keep-alive client's delayed ACK stalls each answer ~40 ms
    disable_nagle_algorithm = True
    server_version = "selvhjelp-snapshot/1"
    snapshot: SnapshotServer

    def log_message(self, format, *args):  # the snapshot's own request log replaces stderr noise
        pass

    def do_HEAD(self):
        self._answer(send_body=False)

    def do_GET(self):
        self._answer(send_body=True)

    def _answer(self, send_body: bool) -> None:
        path = self.path
        fault = self.snapshot.fault_for(path)
        if path.startswith(TEMPORARY_PREFIX + "/"):  # where TEMPORARY_REDIRECT sent a page: it answers as itself
            path, fault = path.removeprefix(TEMPORARY_PREFIX), None
        resource = self.snapshot.resource(path)
        if fault is not None and fault is not Fault.ROBOTS_DISALLOW:
            return self._answer_fault(fault, path, send_body)
        if resource is None:
            return self._send(
                404,
                b"<html><body><h1>404 Ikke funnet</h1></body></html>",
                "text/html; charset=utf-8",
                send_body=send_body,
            )
        if resource.location:
            return self._send(resource.status, b"", None, {"Location": resource.location}, send_body)
        if resource.status != 200:
            return self._send(
                resource.status,
                b"<html><body><h1>Ikke funnet</h1></body></html>",
                "text/html; charset=utf-8",
                send_body=send_body,
            )
        body = self.snapshot.robots_txt(resource) if _path_key(path) == "/robots.txt" else resource.body
        headers = {"ETag": '"' + hashlib.sha256(body).hexdigest()[:20] + '"'}
        if resource.last_modified:
            headers["Last-Modified"] = format_datetime(resource.last_modified, usegmt=True)
        if self._not_modified(headers["ETag"], resource.last_modified):
            return self._send(304, b"", None, headers, send_body)
        self._send(200, body, resource.content_type, headers, send_body)

    def _not_modified(self, etag: str, last_modified: datetime | None) -> bool:
        # RFC 9110 13.1.3: If-None-Match takes precedence over If-Modified-Since
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:
            return etag in [t.strip() for t in if_none_match.split(",")] or if_none_match.strip() == "*"
        since = self.headers.get("If-Modified-Since")
        if since and last_modified:
            try:
                return last_modified.replace(microsecond=0) <= parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return False
        return False

    def _answer_fault(self, fault: Fault, path: str, send_body: bool) -> None:
        if fault is Fault.SLOW:
            self._answer_slowly(path, send_body)
        elif fault is Fault.TRUNCATED:
            self._answer_truncated(path, send_body)
        else:
            status, body, content_type, headers = self._fault_answer(fault, path)
            self._send(status, body, content_type, headers, send_body)

    def _fault_answer(self, fault: Fault, path: str) -> tuple[int, bytes, str | None, dict | None]:
        """(status, body, Content-Type, headers) of a fault answered in one go."""
        if fault in FIXED_ANSWERS:
            return FIXED_ANSWERS[fault]
        match fault:
            case Fault.OVERSIZED:
                filler = b"<p>" + b"Selvhjelp " * 100 + b"</p>\n"
                body = b"<html><body><h1>Stor side</h1>" + filler * (self.snapshot.oversized_bytes // len(filler) + 1)
                return 200, body, HTML, None
            case Fault.REDIRECT_LOOP:
                return 302, b"", None, {"Location": path}
            case Fault.TEMPORARY_REDIRECT:
                return 302, b"", None, {"Location": TEMPORARY_PREFIX + path}
            case Fault.BINARY:
                body = hashlib.sha256(path.encode()).digest() * 256  # 8 KiB, not text
                return 200, b"\x89PNG\r\n\x1a\n\x00\x00" + body, HTML, None
            case Fault.WRONG_CHARSET:
                resource = self.snapshot.resource(path) or Resource(path, 200, b"<html><body><p>\xe6\xf8\xe5</p>")
                label = "utf-8" if "1252" in (resource.content_type or "") else "windows-1252"
                return 200, resource.body, f"text/html; charset={label}", None
        raise ValueError(f"no answer for fault {fault}")

    def _answer_slowly(self, path: str, send_body: bool) -> None:
        self.snapshot.record(RequestLogEntry(self.command, path, 200, 0))  # logged on arrival: the client may give up
        time.sleep(self.snapshot.slow_seconds)
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._send(
                200,
                b"<html><body><h1>Treg side</h1></body></html>",
                "text/html; charset=utf-8",
                None,
                send_body,
                log=False,
            )

    def _answer_truncated(self, path: str, send_body: bool) -> None:
        """Promises a Content-Length, sends half of it, closes."""
        body = (self.snapshot.resource(path) or Resource(path, 200, b"<html><body>" + b"x" * 4000)).body
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        sent = body[: len(body) // 2] if send_body else b""
        self.snapshot.record(RequestLogEntry(self.command, path, 200, len(sent)))
        self.end_headers()
        self.wfile.write(sent)
        self.wfile.flush()
        self.close_connection = True

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str | None,
        headers: dict | None = None,
        send_body: bool = True,
        log: bool = True,
    ) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if status != 304 else 0))
        sent = body if send_body and status != 304 else b""
        if log:  # before the body goes out, so a client that has read the answer finds it in the log
            self.snapshot.record(RequestLogEntry(self.command, self.path, status, len(sent)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout, size limit)
            self.wfile.write(sent)


def serve_forever(port: int, epoch: int, faults: dict[str, str] | None = None, site_dir: Path = SITE_DIR) -> None:
    """The `snapshot-server` command: serve until interrupted, logging each request."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stdout, force=True)
    server = SnapshotServer(epoch=epoch, port=port, faults=faults or {}, site_dir=site_dir, quiet=False).start()
    print(f"Serving the selvhjelp.no snapshot (epoch {epoch}) on {server.url}  (Ctrl-C stops)", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
