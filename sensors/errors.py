"""The project's one exception tree: every error a keeper can fix, each saying how to fix it.

Stdlib only, so every package may import it (ARCHITECTURE.md: one error root). The command line
and the dashboard catch `AquariumError` alone and show its one line; anything else is a bug and
keeps its traceback.
"""

from __future__ import annotations

__all__ = [
    "AquariumError",
    "ConfigError",
    "DecodeError",
    "ImplausibleValue",
    "KeeperInputError",
    "SensorError",
    "UnitError",
    "UnknownParameter",
]


class AquariumError(Exception):
    """Root: what is wrong and, when it is not already in the sentence, how to fix it.

    `reason` is the whole one-line message; give `fix` separately when it is not part of it.
    """

    def __init__(self, reason: str, *, fix: str | None = None) -> None:
        message = f"{reason}; {fix}" if fix else reason
        super().__init__(message)
        self.reason = message
        self.fix = fix

    def __str__(self) -> str:
        return self.reason


class ConfigError(AquariumError, ValueError):
    """A broken setting or configuration file (a bad value too, so pydantic validators and
    callers that catch ValueError see it)."""


class SensorError(AquariumError, ValueError):
    """Bad input from a sensor or a keeper (a ValueError too: it is a bad value)."""


class DecodeError(SensorError):
    """A payload or typed value cannot be read."""


class UnitError(SensorError):
    """A unit that is unknown or unsupported for that parameter."""


class UnknownParameter(SensorError):
    """A parameter name that is not in the catalogue."""


class ImplausibleValue(SensorError):
    """A value outside the physically possible range, or a known sensor fault value."""


class KeeperInputError(SensorError):
    """Something a keeper typed (a result, a time, an amount) that cannot be stored as it is."""
