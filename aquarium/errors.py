"""Errors a keeper can fix: shown as one line, never a traceback."""


class AquariumError(Exception):
    """Base of the command line's own errors."""


class ConfigError(AquariumError):
    """A broken setting or configuration file."""
