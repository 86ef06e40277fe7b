"""Every log line, traceback included, with URL passwords hidden (settings carry them)."""

from __future__ import annotations

import logging

from sensors.credentials import mask_credentials

_TRACEBACKS = logging.Formatter()


class CredentialFilter(logging.Filter):
    """Rewrites a record's message and traceback text with mask_credentials before any handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_credentials(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = _TRACEBACKS.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_credentials(record.exc_text)
        return True


def hide_credentials_in_logs(logger: logging.Logger | None = None) -> None:
    """Install the filter on every handler of LOGGER (the root by default), once."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, CredentialFilter) for f in handler.filters):
            handler.addFilter(CredentialFilter())
