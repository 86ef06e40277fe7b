"""The store's errors: one small hierarchy, each message saying how to fix it."""


class StoreError(Exception):
    """Base of every error the db package raises on purpose."""


class NotFound(StoreError):
    """A tank, entry or event that does not exist."""


class Conflict(StoreError):
    """A name or entry that already exists."""


class StoreUnavailable(StoreError):
    """The database cannot be opened or written (locked, read-only, disk full, bad URL)."""
