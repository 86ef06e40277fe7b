"""The one small exception hierarchy for bad sensor or keeper input."""

from __future__ import annotations

__all__ = [
    "DecodeError",
    "ImplausibleValue",
    "SensorError",
    "UnitError",
    "UnknownParameter",
]


class SensorError(ValueError):
    """Base: bad input from a sensor or a keeper; .reason says what is wrong and how to fix it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


class DecodeError(SensorError):
    """A payload or typed value cannot be read."""


class UnitError(SensorError):
    """A unit that is unknown or unsupported for that parameter."""


class UnknownParameter(SensorError):
    """A parameter name that is not in the catalogue."""


class ImplausibleValue(SensorError):
    """A value outside the physically possible range, or a known sensor fault value."""
