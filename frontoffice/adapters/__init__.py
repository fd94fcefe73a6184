"""Outbound adapters: one module per partner protocol, registered by type name.

    from frontoffice import adapters
    adapter = adapters.get("open311")
    result = adapter.deliver(payload, settings)   # or RetryableError / PermanentError

Adapters never touch the database or the Flask request (see base.py).
"""

from frontoffice.adapters import base, csv_batch, email, open311, portal, webhook  # noqa: F401
from frontoffice.adapters.base import *  # noqa: F403  (the package's face is base's)

__all__ = base.__all__
