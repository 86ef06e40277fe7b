"""The store's errors: branches of the project's one tree, each message saying how to fix it."""

from sensors.errors import AquariumError


class StoreError(AquariumError):
    """Base of every error the db package raises on purpose."""


class NotFound(StoreError):
    """A tank, entry or event that does not exist."""


class Conflict(StoreError):
    """A name or entry that already exists."""


class StoreUnavailable(StoreError):
    """The database cannot be opened or written (locked, read-only, disk full, bad URL)."""
