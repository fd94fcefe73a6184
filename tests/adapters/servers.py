"""Real local servers for the adapter tests, all on 127.0.0.1: an Open311 GeoReport v2 server
(XML and JSON, token flow, de-duplication on the client id attribute, scripted failures) and a
webhook receiver that checks signatures and de-duplicates on Idempotency-Key."""

from __future__ import annotations

import itertools
import json
import sys
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, parse_qsl, urlsplit
from xml.sax.saxutils import escape

from frontoffice.adapters import webhook


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def answer(self, status: int, body: bytes = b"", content_type="text/plain", headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (our timeout tests) is no error worth printing."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class LocalServer:
    """A ThreadingHTTPServer on a free port, in a daemon thread."""

    handler: type[QuietHandler]

    def __init__(self) -> None:
        self.failures: deque[str] = deque()  # scripted answers for the next calls
        self.lock = threading.Lock()
        self.calls: list[dict] = []
        handler = type("Handler", (self.handler,), {"server_state": self})
        self.httpd = QuietServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def fail_next(self, *modes: str) -> None:
        self.failures.extend(modes)

    def next_failure(self) -> str | None:
        with self.lock:
            return self.failures.popleft() if self.failures else None

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


# --- Open311 -----------------------------------------------------------------------------


def to_xml(root: str, item: str, records: list[dict]) -> bytes:
    parts = [f'<?xml version="1.0" encoding="utf-8"?><{root}>']
    for record in records:
        fields = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in record.items())
        parts.append(f"<{item}>{fields}</{item}>")
    return ("".join(parts) + f"</{root}>").encode()


class Open311Handler(QuietHandler):
    server_state: FakeOpen311

    def route(self) -> tuple[str, str, dict]:
        parts = urlsplit(self.path)
        path, _, fmt = parts.path.removeprefix("/open311/v2/").rpartition(".")
        return path, fmt, {k: v[-1] for k, v in parse_qs(parts.query).items()}

    def reply(self, fmt: str, status: int, root: str, item: str, records: list[dict], headers=None):
        if fmt == "json":
            self.answer(status, json.dumps(records).encode(), "application/json", headers)
        else:
            self.answer(status, to_xml(root, item, records), "text/xml; charset=utf-8", headers)

    def errors(self, fmt: str, status: int, description: str) -> None:
        self.reply(fmt, status, "errors", "error", [{"code": status, "description": description}])

    def scripted(self, fmt: str) -> bool:
        """Answer a scripted failure, if one is queued. True when it answered."""
        mode = self.server_state.next_failure()
        if mode is None:
            return False
        if mode == "timeout":
            time.sleep(self.server_state.slow_seconds)
            self.reply(fmt, 200, "service_requests", "request", [{"service_request_id": "late"}])
        elif mode == "500":
            self.answer(500, b"<html>Internal error</html>", "text/html")
        elif mode == "503-json":
            self.answer(503, b'{"oops": true}', "application/json")
        elif mode == "429":
            self.answer(429, b"slow down", headers={"Retry-After": "42"})
        elif mode == "400":
            self.errors(fmt, 400, "lat must be a number")
        elif mode == "malformed":
            self.answer(200, b"<service_requests><request><service_request_id>12", "text/xml")
        elif mode == "empty":
            self.reply(fmt, 200, "service_requests", "request", [{"service_notice": "thanks"}])
        elif mode == "xxe":
            body = (
                b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                b"<service_requests><request><service_request_id>&x;</service_request_id>"
                b"</request></service_requests>"
            )
            self.answer(200, body, "text/xml")
        return True

    def do_POST(self) -> None:  # noqa: N802
        state = self.server_state
        path, fmt, _ = self.route()
        form = parse_qsl(self.body().decode(), keep_blank_values=True)
        fields = dict(form)
        with state.lock:
            state.calls.append({"method": "POST", "path": path, "form": form})
        if path != "requests":
            return self.errors(fmt, 404, "not found")
        if self.scripted(fmt):
            return None
        if fields.get("api_key") != state.api_key:
            return self.errors(fmt, 403, "api_key is not valid")
        if fields.get("service_code") not in state.services:
            return self.errors(fmt, 400, f"service_code {fields.get('service_code')} not found")
        client_id = fields.get(f"attribute[{state.id_attribute}]")
        with state.lock:
            request_id = state.by_client_id.get(client_id) if client_id else None
            if request_id is None:
                request_id = f"SR-{next(state.ids)}"
                state.requests[request_id] = fields | {"form": form}
                if client_id:
                    state.by_client_id[client_id] = request_id
            else:
                state.duplicates += 1
        if state.token_mode:
            token = f"tok-{request_id}"
            state.tokens.setdefault(token, {"id": request_id, "polls_left": state.token_delay})
            return self.reply(fmt, 200, "service_requests", "request", [{"token": token}])
        record = {"service_request_id": request_id, "service_notice": "We will look at it"}
        return self.reply(fmt, 200, "service_requests", "request", [record])

    def do_GET(self) -> None:  # noqa: N802
        state = self.server_state
        path, fmt, query = self.route()
        with state.lock:
            state.calls.append({"method": "GET", "path": path, "query": query})
        if self.scripted(fmt):
            return None
        if state.check_key_on_reads and query.get("api_key") != state.api_key:
            return self.errors(fmt, 403, "api_key is not valid")
        if path == "services":
            records = [
                {"service_code": code, "service_name": name, "type": "realtime"}
                for code, name in state.services.items()
            ]
            return self.reply(fmt, 200, "services", "service", records)
        if path.startswith("tokens/"):
            token = state.tokens.get(path.removeprefix("tokens/"))
            if token is None:
                return self.errors(fmt, 404, "token not found")
            with state.lock:
                ready = token["polls_left"] <= 0
                token["polls_left"] -= 1
            record = {"token": path.removeprefix("tokens/")}
            if ready:
                record["service_request_id"] = token["id"]
            return self.reply(fmt, 200, "service_requests", "request", [record])
        if path.startswith("requests/"):
            request_id = path.removeprefix("requests/")
            found = state.requests.get(request_id)
            if found is None:
                return self.errors(fmt, 404, f"service request {request_id} not found")
            record = {
                "service_request_id": request_id,
                "status": "open",
                "service_code": found["service_code"],
                "description": found.get("description", ""),
                "requested_datetime": "2026-03-14T09:30:00+00:00",
            }
            return self.reply(fmt, 200, "service_requests", "request", [record])
        if path == "servicerequestupdates":
            return self.reply(fmt, 200, "service_request_updates", "request_update", state.updates)
        return self.errors(fmt, 404, "not found")


class FakeOpen311(LocalServer):
    handler = Open311Handler

    def __init__(self, api_key: str = "open311-key-123", id_attribute: str = "fo_dispatch_id"):
        super().__init__()
        self.api_key = api_key
        self.id_attribute = id_attribute
        self.services = {"MB01": "Missed bin", "FT01": "Fly-tipping"}
        self.requests: dict[str, dict] = {}
        self.by_client_id: dict[str, str] = {}
        self.tokens: dict[str, dict] = {}
        self.updates: list[dict] = []
        self.ids = itertools.count(1001)
        self.duplicates = 0
        self.token_mode = False
        self.token_delay = 0  # polls answered without an id before the id appears
        self.check_key_on_reads = True
        self.slow_seconds = 1.5

    @property
    def endpoint(self) -> str:
        return f"{self.base_url}/open311/v2/"


# --- webhook receiver --------------------------------------------------------------------


class WebhookHandler(QuietHandler):
    server_state: WebhookReceiver

    def do_POST(self) -> None:  # noqa: N802
        state = self.server_state
        body = self.body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        with state.lock:
            state.calls.append({"headers": headers, "body": body})
        mode = state.next_failure()
        if mode == "timeout":
            time.sleep(state.slow_seconds)
        elif mode == "500":
            return self.answer(500, b"broken")
        elif mode == "429":
            return self.answer(429, b"", headers={"Retry-After": "7"})
        elif mode == "400":
            return self.answer(400, b'{"error": "case.reference is missing"}', "application/json")
        elif mode == "410":
            return self.answer(410, b"gone")
        elif mode == "302":
            return self.answer(302, b"", headers={"Location": "https://elsewhere.example/hook?k=1"})
        ok = webhook.verify(
            state.secret,
            headers.get("x-frontoffice-timestamp", ""),
            body,
            headers.get("x-frontoffice-signature", ""),
        )
        if not ok:
            return self.answer(401, b'{"error": "bad signature"}', "application/json")
        key = headers.get("idempotency-key", "")
        with state.lock:
            if key in state.received:
                state.duplicates += 1
            else:
                state.received[key] = json.loads(body)
                state.references[key] = f"WH-{len(state.references) + 1}"
        if mode == "text":
            return self.answer(200, b"OK")
        answer = json.dumps({"reference": state.references[key]}).encode()
        return self.answer(200 if mode != "202" else 202, answer, "application/json")


class WebhookReceiver(LocalServer):
    handler = WebhookHandler

    def __init__(self, secret: str = "a-shared-secret-of-32-characters") -> None:  # noqa: S107
        super().__init__()
        self.secret = secret
        self.received: dict[str, dict] = {}
        self.references: dict[str, str] = {}
        self.duplicates = 0
        self.slow_seconds = 1.5

    @property
    def url(self) -> str:
        return f"{self.base_url}/hooks/frontoffice"
