"""Storing Python enums as their string values, without native database enums."""

import enum

from sqlalchemy import Enum


def string_enum(cls: type[enum.Enum]) -> Enum:
    length = max(len(m.value) for m in cls)
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=max(length, 20),
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )
