"""HTTP for the adapters: httpx with explicit timeouts, and one place that sorts failures into
RetryableError (network, timeout, 408, 429, 5xx) and PermanentError (redirects, other 4xx).

A certificate that fails verification is permanent: it is almost always the wrong address or
a private certificate authority, which a person must fix.

Messages name the host and path, never the query string, so a key sent as a parameter stays
out of errors; a filter on the `httpx` logger masks `api_key=` in its request log lines.
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import re
import ssl
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from frontoffice import clock
from frontoffice.adapters.errors import PermanentError, RetryableError

USER_AGENT = "frontoffice-adapters/1"
MAX_RETRY_AFTER = 24 * 3600.0
_SECRET_PARAM = re.compile(r"((?:api_key|key|token|secret|password)=)[^&\s\"']+", re.IGNORECASE)


class _MaskSecretParams(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if _SECRET_PARAM.search(message):
            record.msg = _SECRET_PARAM.sub(r"\1********", message)
            record.args = None
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, _MaskSecretParams) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(_MaskSecretParams())


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verifying TLS context for every call: building one costs about 0.1 s."""
    return httpx.create_ssl_context()


_clients: dict[tuple[int, float], httpx.Client] = {}


@atexit.register
def _close_clients() -> None:
    for client in _clients.values():
        client.close()


def _client(timeout: float) -> httpx.Client:
    """One pooled client per process and timeout: connections to a partner are kept alive
    between deliveries. Keyed by process id too, as Celery forks its workers."""
    key = (os.getpid(), timeout)
    client = _clients.get(key)
    if client is None:
        client = httpx.Client(
            timeout=timeout,
            follow_redirects=False,
            verify=_tls_context(),
            limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
        )
        _clients[key] = client
    return client


def safe_url(url: str | httpx.URL) -> str:
    """scheme://host[:port]/path: the URL without its query, for messages."""
    parts = urlsplit(str(url))
    if not parts.scheme:
        return parts.path
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return f"{parts.scheme}://{host}{parts.path}"


def retry_after(response: httpx.Response) -> float | None:
    """Seconds asked for by a Retry-After header (seconds or an HTTP date), if any."""
    value = response.headers.get("retry-after", "").strip()
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
    **kwargs: Any,
) -> httpx.Response:
    """One request. Transport failures raise RetryableError (or PermanentError for a URL
    httpx cannot use). The response is returned whatever its status: see `check_status`."""
    headers = {"User-Agent": USER_AGENT, **kwargs.pop("headers", {})}
    where = safe_url(url)
    try:
        return _client(timeout).request(method, url, headers=headers, **kwargs)
    except httpx.TimeoutException:
        raise RetryableError(
            f"{what} at {where} did not answer within {timeout:g} seconds"
        ) from None
    except httpx.ConnectError as error:
        reason = _reason(error)
        if "CERTIFICATE_VERIFY_FAILED" in reason:
            raise PermanentError(
                f"Could not verify the TLS certificate of {where}: check the address"
            ) from None
        raise RetryableError(f"Could not connect to {where}: {reason}") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise PermanentError(f"{where} is not an address we can send to") from None
    except httpx.TransportError as error:
        raise RetryableError(f"The connection to {where} failed: {_reason(error)}") from None


def _reason(error: Exception) -> str:
    text = str(error).strip() or type(error).__name__
    return _SECRET_PARAM.sub(r"\1********", text)[:200]


def check_status(response: httpx.Response, what: str = "The partner", detail: str = "") -> None:
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
        location = safe_url(response.headers.get("location", "")) or "another address"
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
