"""Testing a partner system from an administrator's page, without holding the request long.

The adapter's own timeout is lowered to the cap, and the call runs in a daemon thread that
is waited for at most a little longer than that: a protocol that spends its timeout on each
of several steps (SMTP: connect, hello, STARTTLS, sign in) cannot hang the page.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from frontoffice.adapters import Adapter, AdapterError

log = logging.getLogger(__name__)

CAP_SECONDS = 10.0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    message: str


def capped(settings: Mapping[str, Any], cap: float) -> dict[str, Any]:
    values = dict(settings)
    timeout = values.get("timeout")
    if isinstance(timeout, int | float) and not isinstance(timeout, bool):
        values["timeout"] = min(float(timeout), cap)
    elif timeout is None or isinstance(timeout, str):
        values["timeout"] = cap
    return values


def check_connection(
    adapter: Adapter, settings: Mapping[str, Any], cap: float = CAP_SECONDS
) -> Outcome:
    """The adapter's own message, or its error's, within about `cap` seconds."""
    found: list[Outcome] = []
    values = (
        capped(settings, cap)
        if any(f.name == "timeout" for f in adapter.settings)
        else {**settings}
    )

    def work() -> None:
        try:
            found.append(Outcome(True, adapter.test_connection(values)))
        except AdapterError as error:
            found.append(Outcome(False, error.message))
        except Exception as error:  # an adapter's bug: say so, and keep settings out of logs
            log.error(
                "testing a %s adapter failed unexpectedly: %s",
                adapter.type_name,
                type(error).__name__,
            )
            found.append(Outcome(False, "The test failed unexpectedly. Try again later."))

    thread = threading.Thread(target=work, name=f"test-{adapter.type_name}", daemon=True)
    thread.start()
    thread.join(cap + 1.0)
    if not found:
        return Outcome(False, f"The partner system did not answer within {cap:g} seconds")
    return found[0]
