"""Hide the password of anything URL-shaped in a text before it is shown or logged.

Used where text leaves the program: command-line errors, log lines, dashboard messages. It works
on text, not on parsed URLs, because the URLs that leak are the malformed ones a parser gets
wrong: a password with an unencoded '#', '/' or '?' (urlsplit then reads part of it as the port or
the path), or a URL missing its '//' ('postgresql+psycopg//aq:secret@host/db').
"""

from __future__ import annotations

import re

__all__ = ["MASK", "mask_credentials"]

MASK = "***"

# A run of characters that can belong to one URL: spaces and quotes end it, so a URL quoted inside
# a sentence ('...') is taken alone. Brackets and commas do not: a password may contain them.
_TOKEN = re.compile(r"[^\s'\"`]*@[^\s'\"`]*")
# The scheme and its separator: "mqtt://", "postgresql+psycopg//" (colon missing), "mqtt:" (slashes
# missing).
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*(?P<sep>:?//|:)")


def _mask_token(token: str) -> str:
    scheme = _SCHEME.search(token)
    start = scheme.end() if scheme else 0
    at = token.rfind("@")  # the host follows the last '@'; a password may hold an '@' itself
    if at <= start:
        return token
    userinfo = token[start:at]
    user, colon, _password = userinfo.partition(":")
    if colon:
        return f"{token[:start]}{user}:{MASK}{token[at:]}"
    if scheme and scheme.group("sep") == ":":
        # "user:password@host" with no scheme at all reads as scheme "user": hide what follows.
        return f"{token[:start]}{MASK}{token[at:]}"
    return token  # "scheme://user@host" or "keeper@example.com": a name, not a secret


def mask_credentials(text: str) -> str:
    """TEXT with the password of every URL-shaped part replaced by ***."""
    if "@" not in text:
        return text
    return _TOKEN.sub(lambda m: _mask_token(m.group(0)), text)
