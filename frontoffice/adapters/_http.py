"""HTTP for the adapters: the standard library's http.client with a small per-process pool of
kept-alive connections, explicit timeouts, and one place that sorts failures into
RetryableError (network, timeout, 408, 429, 5xx) and PermanentError (redirects, other 4xx).

Why not httpx: a worker spends most of a delivery in its HTTP client, and httpx costs about
three times the CPU of http.client for the same POST on a kept-alive connection.

- A certificate that fails verification is permanent: it is almost always the wrong address
  or a private certificate authority, which a person must fix. One verifying TLS context
  (certifi's authorities, or SSL_CERT_FILE / SSL_CERT_DIR, as httpx did) serves every call.
- The timeout bounds connecting and each read and write, as httpx's single timeout did.
- Redirects are never followed (a 3xx is a PermanentError naming where it points).
- Proxies from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY) are honoured as
  httpx honoured them: plain http through the proxy, https tunnelled with CONNECT.
- Kept-alive connections: at most MAX_IDLE idle ones per host and process; a process forked
  from one that had some (Celery's workers) starts with none. An idle connection that the
  server has closed is seen before use and dropped; if the server closes one as we send on
  it (the keep-alive race), the request is sent once more on a new connection. That is safe:
  every POST we make carries an idempotency key the receiver de-duplicates on (webhooks'
  Idempotency-Key, Open311's id attribute), and the rest are GETs. A failure on a new
  connection, and any timeout, is never resent here: it is the caller's RetryableError.
- Messages name the host and path, never the query string, so a key sent as a parameter stays
  out of errors; the request log line (INFO on `frontoffice.adapters.http`) masks `api_key=`.
"""

from __future__ import annotations

import atexit
import base64
import functools
import http.client
import json
import logging
import os
import re
import select
import ssl
import threading
import urllib.request
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import SplitResult, unquote, urlencode, urlsplit

from frontoffice import clock
from frontoffice.adapters.errors import PermanentError, RetryableError

USER_AGENT = "frontoffice-adapters/1"
MAX_RETRY_AFTER = 24 * 3600.0
MAX_IDLE = 10  # kept-alive connections per host and process
MAX_BODY = 32 * 1024 * 1024  # an answer's body we read; a partner's is a few kilobytes
_SECRET_PARAM = re.compile(r"((?:api_key|key|token|secret|password)=)[^&\s\"']+", re.IGNORECASE)
_DEFAULT_PORTS = {"http": 80, "https": 443}

log = logging.getLogger("frontoffice.adapters.http")


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every call: building one costs about 0.1 s."""
    if os.environ.get("SSL_CERT_FILE"):
        return ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
    if os.environ.get("SSL_CERT_DIR"):
        return ssl.create_default_context(capath=os.environ["SSL_CERT_DIR"])
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


class Request:
    __slots__ = ("method", "url")

    def __init__(self, method: str, url: str) -> None:
        self.method, self.url = method, url


class Response:
    """What the adapters read of an answer, with httpx's names: status_code, reason_phrase,
    headers (case-insensitive .get), content, text, json(), is_success, url, request.url."""

    __slots__ = ("status_code", "reason_phrase", "headers", "content", "url", "request")

    def __init__(
        self, request: Request, status_code: int, reason: str, headers: Any, content: bytes
    ) -> None:
        self.request, self.url = request, request.url
        self.status_code, self.reason_phrase = status_code, reason
        self.headers, self.content = headers, content

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        charset = self.headers.get_content_charset() if self.headers is not None else None
        try:
            return self.content.decode(charset or "utf-8", errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return json.loads(self.content)


class _Answer(Protocol):
    """A response as check_status and retry_after read it (ours, or an httpx.Response)."""

    status_code: int
    reason_phrase: str

    @property
    def headers(self) -> Any: ...

    @property
    def request(self) -> Any: ...


# Idle kept-alive connections of this process, by (scheme, host, port).
_idle: dict[tuple[str, str, int], list[http.client.HTTPConnection]] = {}
_idle_lock = threading.Lock()


def _forget_after_fork() -> None:
    """A forked child must not share its parent's sockets: it forgets them (closing them
    here would not close the parent's, but there is nothing to gain)."""
    global _idle_lock
    _idle.clear()
    _idle_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_after_fork)


@atexit.register
def close_connections() -> None:
    """Closes this process's idle connections (at exit, so none is left to the collector)."""
    with _idle_lock:
        connections = [c for idle in _idle.values() for c in idle]
        _idle.clear()
    for connection in connections:
        connection.close()


def _proxy_for(scheme: str, host: str) -> str | None:
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(scheme) or proxies.get("all")
    if not proxy or urllib.request.proxy_bypass_environment(host, proxies):
        return None
    return proxy if "://" in proxy else f"http://{proxy}"


def _new_connection(
    scheme: str, host: str, port: int, timeout: float
) -> tuple[http.client.HTTPConnection, bool]:
    """A new connection (not yet connected), and whether it goes through a plain-http proxy
    (which then takes the absolute URL as the request's target)."""
    proxy = _proxy_for(scheme, host)
    if proxy is None:
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=timeout, context=_tls_context()
            ), False
        return http.client.HTTPConnection(host, port, timeout=timeout), False
    parts = urlsplit(proxy)
    proxy_headers = {}
    if parts.username:
        proxy_headers["Proxy-Authorization"] = _basic_credentials(parts)
    proxy_host, proxy_port = parts.hostname or "", parts.port or 80
    if scheme == "https":
        connection = http.client.HTTPSConnection(
            proxy_host, proxy_port, timeout=timeout, context=_tls_context()
        )
        connection.set_tunnel(host, port, headers=proxy_headers)
        return connection, False
    connection = http.client.HTTPConnection(proxy_host, proxy_port, timeout=timeout)
    connection.proxy_headers = proxy_headers  # type: ignore[attr-defined]
    return connection, True


def _dropped(connection: http.client.HTTPConnection) -> bool:
    """An idle connection is readable only when the server closed it (or sent what it should
    not have): either way it cannot carry a request."""
    sock = connection.sock
    if sock is None:
        return True
    try:
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))
    except (OSError, ValueError):
        return True


def _checkout(
    key: tuple[str, str, int], timeout: float, fresh: bool = False
) -> tuple[http.client.HTTPConnection, bool]:
    """An idle connection that still looks open (reused=True), else a new one."""
    while not fresh:
        with _idle_lock:
            idle = _idle.get(key)
            connection = idle.pop() if idle else None
        if connection is None:
            break
        if _dropped(connection):
            connection.close()
            continue
        connection.timeout = timeout
        connection.sock.settimeout(timeout)  # type: ignore[union-attr]
        return connection, True
    connection, via_proxy = _new_connection(*key, timeout)
    connection.via_proxy = via_proxy  # type: ignore[attr-defined]
    return connection, False


def _checkin(key: tuple[str, str, int], connection: http.client.HTTPConnection) -> None:
    with _idle_lock:
        idle = _idle.setdefault(key, [])
        if len(idle) < MAX_IDLE:
            idle.append(connection)
            return
    connection.close()


def _basic_credentials(parts: SplitResult) -> str:
    """The Basic credentials of an address's user:password, as an Authorization header."""
    credentials = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
    return "Basic " + base64.b64encode(credentials.encode()).decode("ascii")


def safe_url(url: str) -> str:
    """scheme://host[:port]/path: the URL without its query, for messages."""
    parts = urlsplit(str(url))
    if not parts.scheme:
        return parts.path
    host = parts.hostname or ""
    try:
        port = parts.port
    except ValueError:
        port = None
    if port:
        host = f"{host}:{port}"
    return f"{parts.scheme}://{host}{parts.path}"


def retry_after(response: _Answer) -> float | None:
    """Seconds asked for by a Retry-After header (seconds or an HTTP date), if any."""
    value = (response.headers.get("retry-after") or "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            return None
        seconds = (when - clock.now()).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def send(
    method: str,
    url: str,
    *,
    timeout: float,
    what: str = "The partner",
    params: dict[str, str] | None = None,
    content: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """One request. Transport failures raise RetryableError (or PermanentError for a URL we
    cannot use, or a certificate that does not verify). The response is returned whatever
    its status: see `check_status`."""
    where = safe_url(url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or _DEFAULT_PORTS.get(scheme, 0)
    except ValueError:
        port = 0
    host = parts.hostname or ""
    if scheme not in _DEFAULT_PORTS or not host or not port:
        raise PermanentError(f"{where} is not an address we can send to")
    query = parts.query
    if params:
        query = f"{query}&{urlencode(params)}" if query else urlencode(params)
    path = (parts.path or "/") + (f"?{query}" if query else "")
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc = f"{netloc}:{port}"
    full_url = f"{scheme}://{netloc}{path}"
    request_headers = {"Host": netloc, "User-Agent": USER_AGENT}
    if parts.username:  # credentials in the address, as httpx sent them
        request_headers["Authorization"] = _basic_credentials(parts)
    request_headers.update(headers or {})
    key = (scheme, host, port)

    for attempt in (1, 2):
        connection, reused = _checkout(key, timeout, fresh=attempt > 1)
        target = path
        if getattr(connection, "via_proxy", False):
            target = full_url
            request_headers.update(connection.proxy_headers)  # type: ignore[attr-defined]
        if connection.sock is None:
            _connect(connection, what, where, timeout)
        try:
            connection.request(method, target, body=content, headers=request_headers)
            raw = connection.getresponse()
            body = raw.read(MAX_BODY + 1)
        except TimeoutError:
            connection.close()
            raise RetryableError(
                f"{what} at {where} did not answer within {timeout:g} seconds"
            ) from None
        except (ValueError, http.client.InvalidURL) as error:  # a path or header it refuses
            connection.close()
            raise PermanentError(f"Could not send to {where}: {_reason(error)}") from None
        except (ConnectionError, http.client.HTTPException, OSError) as error:
            connection.close()
            # The keep-alive race: the server closed an idle connection as we sent on it.
            if reused and attempt == 1 and isinstance(error, ConnectionError):
                continue
            raise RetryableError(f"The connection to {where} failed: {_reason(error)}") from None
        if len(body) > MAX_BODY:
            connection.close()
            raise PermanentError(
                f"{what} at {where} answered with more than {MAX_BODY // 1048576} MB: "
                "not read (check the address)"
            )
        if raw.will_close or not raw.isclosed():  # not isclosed: some of the answer unread
            connection.close()
        else:
            _checkin(key, connection)
        response = Response(Request(method, full_url), raw.status, raw.reason, raw.headers, body)
        if log.isEnabledFor(logging.INFO):
            log.info(
                'HTTP Request: %s %s "HTTP/%s %d %s"',
                method,
                _mask(full_url),
                "1.1" if raw.version == 11 else "1.0",
                raw.status,
                raw.reason,
            )
        return response
    raise AssertionError("unreachable")  # pragma: no cover


def _connect(connection: http.client.HTTPConnection, what: str, where: str, timeout: float) -> None:
    try:
        connection.connect()
    except ssl.SSLCertVerificationError:
        connection.close()
        raise PermanentError(
            f"Could not verify the TLS certificate of {where}: check the address"
        ) from None
    except TimeoutError:
        connection.close()
        raise RetryableError(
            f"{what} at {where} did not answer within {timeout:g} seconds"
        ) from None
    except (OSError, http.client.HTTPException) as error:
        connection.close()
        raise RetryableError(f"Could not connect to {where}: {_reason(error)}") from None


def _mask(text: str) -> str:
    return _SECRET_PARAM.sub(r"\1********", text)


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return _mask(text)[:200]


def check_status(response: _Answer, what: str = "The partner", detail: str = "") -> None:
    """Return on 2xx; otherwise raise the error its status calls for. `detail` (e.g. the
    partner's own error description) is added to the message."""
    status = response.status_code
    if 200 <= status < 300:
        return
    where = safe_url(response.request.url)
    suffix = f": {detail}" if detail else ""
    if status == 429 or status == 408 or status >= 500:
        raise RetryableError(
            f"{what} at {where} answered {status} {response.reason_phrase}{suffix}",
            retry_after=retry_after(response),
        )
    if 300 <= status < 400:
        location = safe_url(response.headers.get("location") or "") or "another address"
        raise PermanentError(
            f"{what} at {where} redirected to {location}: update the address in the settings"
        )
    if status in (401, 403):
        raise PermanentError(
            f"{what} at {where} refused our credentials ({status}){suffix or ': check them'}"
        )
    if status == 404:
        raise PermanentError(f"{what} at {where} answered 404 Not Found{suffix}")
    raise PermanentError(f"{what} at {where} answered {status} {response.reason_phrase}{suffix}")


def short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
