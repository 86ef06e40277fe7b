"""Notification URLs as they may be shown or logged: enough to tell them apart, no secrets.

Apprise URLs carry their credentials in every position: a password (mailto://user:pass@...), a
token as the host (tgram://BOTTOKEN/CHAT, pover://USER@TOKEN), a secret topic (ntfy://topic) or
path (webhooks), headers in the query (json://host?:Authorization=...). Apprise's own privacy
mode hides the ones its plugins declare but still prints paths and custom headers, so this module
keeps only the scheme, a real host name and the port, and shortens everything else.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

__all__ = ["mask_url", "scrub"]

# A host name or IPv4 address worth showing; anything else in the host position is a token.
_HOST = re.compile(r"(localhost|[a-z0-9-]+(\.[a-z0-9-]+)+)", re.IGNORECASE)


def _short(text: str) -> str:
    """First and last character, like apprise's privacy mode ("1...n"); very short: hidden."""
    return f"{text[0]}...{text[-1]}" if len(text) > 4 else "****"


def mask_url(url: str) -> str:
    """URL with credentials, tokens, path segments and the query hidden."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:  # a malformed port or bracket: show the scheme only
        return f"{url.split('://', 1)[0][:16]}://****" if "://" in url else "****"
    if not parts.scheme:
        return "****"
    user = ""
    if parts.username:
        user = _short(unquote(parts.username)) + (":****" if parts.password else "") + "@"
    shown_host = host if _HOST.fullmatch(host) else _short(host) if host else ""
    path = "/".join(_short(unquote(s)) if s else "" for s in parts.path.split("/"))
    return f"{parts.scheme}://{user}{shown_host}{port}{path}"


def scrub(text: str, url: str) -> str:
    """TEXT (an error message about URL) with any of URL's secret parts replaced by ****."""
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname or ""
    except ValueError:
        return text.replace(url, "****")
    secrets = {url.strip(), parts.password or "", parts.username or "", parts.query}
    if not _HOST.fullmatch(host):
        secrets.add(host)
    secrets.update(unquote(s) for s in parts.path.split("/"))
    secrets.update(s for s in parts.path.split("/"))
    for value in re.split(r"[&=]", unquote(parts.query)):
        secrets.add(value)
    # Longest first, so a token is not half-replaced by one of its own substrings.
    for secret in sorted((s for s in secrets if len(s) >= 3), key=len, reverse=True):
        text = text.replace(secret, "****")
    return text
