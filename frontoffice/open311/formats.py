"""Open311 answers in XML (what every client reads) and JSON, shaped as the spec shows them.

A record is a dict whose values are text, numbers, booleans, None, a list of dicts (rendered
as repeated child elements named by `LIST_ITEMS`) or a dict.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree.ElementTree import Element, SubElement, tostring

from flask import Response, request
from werkzeug.exceptions import HTTPException

# A list under this key holds elements of this name: <attributes><attribute>…
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
FORMATS = ("xml", "json")
# Characters XML 1.0 cannot carry at all, even escaped: a reader would refuse the whole answer.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else NOT_XML.sub("", str(value))


def _fill(parent: Element, record: dict[str, Any]) -> None:
    for key, value in record.items():
        child = SubElement(parent, key)
        if isinstance(value, list):
            item_name = LIST_ITEMS.get(key, "item")
            for item in value:
                if isinstance(item, dict):
                    _fill(SubElement(child, item_name), item)
                else:
                    SubElement(child, item_name).text = _text(item)
        elif isinstance(value, dict):
            _fill(child, value)
        else:
            child.text = _text(value)


def to_xml(root: str, item: str | None, records: list[dict[str, Any]] | dict[str, Any]) -> bytes:
    top = Element(root)
    if item is None:
        _fill(top, records)  # type: ignore[arg-type]
    else:
        for record in records:  # type: ignore[union-attr]
            _fill(SubElement(top, item), record)
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + tostring(top, encoding="unicode").encode()


def answer(fmt: str, root: str, item: str | None, records: Any, status: int = 200) -> Response:
    if fmt == "json":
        return Response(
            json.dumps(records), status=status, content_type="application/json; charset=utf-8"
        )
    return Response(
        to_xml(root, item, records), status=status, content_type="text/xml; charset=utf-8"
    )


def errors(fmt: str, status: int, description: str) -> Response:
    """The spec's error list: each a code (the HTTP status) and a description."""
    return answer(
        fmt if fmt in FORMATS else "xml",
        "errors",
        "error",
        [{"code": status, "description": description}],
        status,
    )


def http_error(error: HTTPException) -> Response:
    """Any HTTP error under /open311/ (an unknown path or format, a refused request) as the
    spec's error list, in the format the path asked for."""
    fmt = request.path.rsplit(".", 1)[-1] if "." in request.path else "xml"
    code = error.code or 500
    return errors(fmt, code, "not found" if code == 404 else error.description or error.name)
