"""Real local HTTP servers that play partner back-ends in tests and benchmarks."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from frontoffice.adapters.webhook import verify


class WebhookReceiver:
    """A partner's webhook endpoint: keeps one copy per Idempotency-Key, counts every attempt.

    `fail_until` (a monotonic time) answers 500 until then, `failures_left` to that many
    requests; `status_code` forces an answer. With a `secret`, a request whose signature does
    not verify is answered 401 and counted in `bad_signatures`.
    """

    def __init__(self) -> None:
        self.received: dict[str, dict] = {}
        self.attempts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.fail_until = 0.0
        self.failures_left = 0
        self.status_code: int | None = None
        self.delay = 0.0
        self.secret: str | None = None
        self.bad_signatures = 0
        self.events: dict[str, str] = {}  # Idempotency-Key -> X-Frontoffice-Event
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            # Connections kept alive, as a partner's web server keeps them: a client that
            # pools them is then not charged a new connection per delivery. Without Nagle, as
            # headers and body are written apart.
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                key = self.headers.get("Idempotency-Key", "")
                if receiver.delay:
                    time.sleep(receiver.delay)
                with receiver.lock:
                    receiver.attempts[key] += 1
                    if receiver.secret is not None and not verify(
                        receiver.secret,
                        self.headers.get("X-Frontoffice-Timestamp", ""),
                        body,
                        self.headers.get("X-Frontoffice-Signature", ""),
                        now=time.time(),
                    ):
                        receiver.bad_signatures += 1
                        code = 401
                    elif receiver.status_code is not None:
                        code = receiver.status_code
                    elif time.monotonic() < receiver.fail_until or receiver.failures_left > 0:
                        receiver.failures_left = max(0, receiver.failures_left - 1)
                        code = 500
                    else:
                        code = 200
                        receiver.received.setdefault(key, json.loads(body or b"{}"))
                        receiver.events.setdefault(key, self.headers.get("X-Frontoffice-Event"))
                answer = json.dumps({"reference": f"P-{key}"} if code == 200 else {"error": "no"})
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def copies(self) -> int:
        with self.lock:
            return len(self.received)


class NotifyServer:
    """GOV.UK Notify's API as far as we use it: POST /v2/notifications/email with a JWT signed
    by the service's key. Keeps each email sent; `status_code` forces an answer."""

    SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
    SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
    API_KEY = f"frontoffice_test-{SERVICE_ID}-{SECRET}"

    def __init__(self) -> None:
        self.sent: list[dict] = []
        self.status_code: int | None = None
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                import jwt
                from notifications_python_client.authentication import decode_jwt_token

                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                try:
                    claims = jwt.decode(token, options={"verify_signature": False})
                    authorised = claims.get("iss") == server.SERVICE_ID and decode_jwt_token(
                        token, server.SECRET
                    )
                except Exception:
                    authorised = False
                if not authorised:
                    code, answer = (
                        403,
                        {"errors": [{"error": "AuthError", "message": "Invalid token"}]},
                    )
                elif self.path != "/v2/notifications/email":
                    code, answer = 404, {"errors": [{"error": "NotFound", "message": "No route"}]}
                elif server.status_code is not None:
                    code = server.status_code
                    answer = {"errors": [{"error": "Forced", "message": f"forced {code}"}]}
                else:
                    sent = json.loads(body)
                    with server.lock:
                        server.sent.append(sent)
                        number = len(server.sent)
                    code = 201
                    answer = {
                        "id": f"00000000-0000-0000-0000-{number:012d}",
                        "reference": sent.get("reference"),
                        "content": sent.get("personalisation", {}),
                        "template": {"id": sent.get("template_id"), "version": 1},
                    }
                data = json.dumps(answer).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> NotifyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
