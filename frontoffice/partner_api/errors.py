"""Errors of the partner API: JSON with a stable code and a message, never an HTML page."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, fields: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or {}

    def response(self) -> Response:
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        response = jsonify({"error": body})
        response.status_code = self.status
        if self.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="frontoffice partner API"'
        return response


def unauthorised(message: str = "Send your API key as 'Authorization: Bearer <key>'") -> ApiError:
    return ApiError(401, "unauthorised", message)


def invalid(fields: dict[str, str]) -> ApiError:
    return ApiError(422, "invalid", "Some fields are not valid", fields)
