"""Portal: nothing is pushed. The partner works the case in our partner UI or API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from frontoffice.adapters.base import Adapter, DeliveryPayload, DeliveryResult, register


@register
class PortalAdapter(Adapter):
    type_name = "portal"
    label = "Partner portal"
    description = "Nothing is sent: the partner sees the case in the partner portal and API."

    def deliver(self, payload: DeliveryPayload, settings: Mapping[str, Any]) -> DeliveryResult:
        self.validate_settings(settings)
        return DeliveryResult(True, None, "available in the partner portal")

    def test_connection(self, settings: Mapping[str, Any]) -> str:
        self.validate_settings(settings)
        return "Nothing to connect to: the partner works its cases in the partner portal."
