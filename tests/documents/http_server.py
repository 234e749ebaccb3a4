"""A local HTTP(S) server for the documents tests: serves the real corpus under /corpus/ and any
response a test registers (status, headers, body or streamed body, delay, redirect), records
every request it receives (a POST with its body), and answers conditional requests like a real
server."""

import email.utils
import hashlib
import http.server
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from tests.documents.pipeline_helpers import PDF, corpus_bytes

CORPUS_PREFIX = "/corpus/"
CORPUS_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".pdf": PDF,
}
# A fixed Last-Modified for corpus files, so conditional requests are reproducible.
CORPUS_LAST_MODIFIED = "Mon, 05 Jan 2026 07:00:00 GMT"

Body = bytes | Callable[[], Iterable[bytes]]


@dataclass
class Route:
    status: int = 200
    body: Body = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class ReceivedRequest:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


class LocalHTTPServer:
    def __init__(self, *, host: str = "127.0.0.1", tls_context: ssl.SSLContext | None = None):
        self.routes: dict[str, Route] = {}
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"site": self})
        self._server = http.server.ThreadingHTTPServer((host, 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        if tls_context is not None:
            self._server.socket = tls_context.wrap_socket(self._server.socket, server_side=True)
        scheme = "https" if tls_context is not None else "http"
        self.port = self._server.server_address[1]
        self.base_url = f"{scheme}://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def corpus_url(self, document: str, file: str) -> str:
        return self.url(f"{CORPUS_PREFIX}{document}/{file}")

    def route(
        self,
        path: str,
        *,
        status: int = 200,
        body: Body = b"",
        headers: dict[str, str] | None = None,
        content_type: str | None = "text/html; charset=utf-8",
        delay: float = 0.0,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> str:
        """Serve this response at ``path`` (replacing any earlier one); returns its URL.
        ``body`` may be a callable returning an iterable of chunks, streamed without a
        Content-Length; ``etag`` / ``last_modified`` make the route answer 304 when matched."""
        all_headers = {"Content-Type": content_type} if content_type else {}
        all_headers.update(headers or {})
        with self._lock:
            self.routes[path] = Route(status, body, all_headers, delay, etag, last_modified)
        return self.url(path)

    def redirect(self, path: str, location: str, *, status: int = 302) -> str:
        return self.route(path, status=status, headers={"Location": location}, content_type=None)

    def requests_to(self, path: str) -> list[ReceivedRequest]:
        with self._lock:
            return [request for request in self.requests if request.path == path]

    def reset(self) -> None:
        with self._lock:
            self.routes.clear()
            self.requests.clear()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _record(self, request: ReceivedRequest) -> Route | None:
        with self._lock:
            self.requests.append(request)
            return self.routes.get(request.path)


class _Handler(http.server.BaseHTTPRequestHandler):
    site: LocalHTTPServer
    server_version = "CorpusServer/1.0"

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(body=b"")

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        self._answer(body=self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def _answer(self, *, body: bytes) -> None:
        request = ReceivedRequest(
            path=self.path,
            headers={name.lower(): value for name, value in self.headers.items()},
            method=self.command,
            body=body,
        )
        route = self.site._record(request) or _corpus_route(self.path)
        if route is None:
            self._respond(Route(status=404, body=b"not found", headers={}))
            return
        if route.delay:
            time.sleep(route.delay)
        if _is_not_modified(route, request.headers):
            self._respond(Route(status=304, headers=_validators(route)))
            return
        self._respond(route)

    def _respond(self, route: Route) -> None:
        try:
            self.send_response(route.status)
            for name, value in {**route.headers, **_validators(route)}.items():
                self.send_header(name, value)
            if isinstance(route.body, bytes):
                self.send_header("Content-Length", str(len(route.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            chunks = [route.body] if isinstance(route.body, bytes) else route.body()
            for chunk in chunks:
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the fetcher hung up on purpose (size cap, deadline): nothing to report
        self.close_connection = True

    def log_message(self, format, *args) -> None:  # noqa: A002 (http.server's signature)
        pass


def _corpus_route(path: str) -> Route | None:
    if not path.startswith(CORPUS_PREFIX):
        return None
    document, _, file = path[len(CORPUS_PREFIX) :].split("?")[0].partition("/")
    try:
        body = corpus_bytes(document, file)
    except FileNotFoundError:
        return None
    content_type = CORPUS_CONTENT_TYPES.get(PurePosixPath(file).suffix, "application/octet-stream")
    return Route(
        body=body,
        headers={"Content-Type": content_type},
        etag=f'"{hashlib.sha256(body).hexdigest()[:16]}"',
        last_modified=CORPUS_LAST_MODIFIED,
    )


def _validators(route: Route) -> dict[str, str]:
    validators = {}
    if route.etag:
        validators["ETag"] = route.etag
    if route.last_modified:
        validators["Last-Modified"] = route.last_modified
    return validators


def _is_not_modified(route: Route, headers: dict[str, str]) -> bool:
    if route.status != 200:
        return False
    if route.etag and "if-none-match" in headers:
        return route.etag in [tag.strip() for tag in headers["if-none-match"].split(",")]
    if route.last_modified and "if-modified-since" in headers:
        since = email.utils.parsedate_to_datetime(headers["if-modified-since"])
        return email.utils.parsedate_to_datetime(route.last_modified) <= since
    return False
