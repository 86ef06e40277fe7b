"""Names that appear in topics: tank names and the default topic scheme."""

from __future__ import annotations

import re

# Lowercase letters, digits, '-' and '_', at most 32: safe in an MQTT topic level, a URL and a
# file name, and short enough for a phone screen.
TANK_NAME = re.compile(r"[a-z0-9_-]{1,32}")
DEFAULT_TOPIC_PREFIX = "aquarium"
# Levels under aquarium/<tank>/ that this program publishes itself; never readings.
OWN_TOPICS = frozenset({"advice", "alerts", "status"})


def is_valid_tank_name(name: str) -> bool:
    """Whether NAME can be a tank name (and a topic level)."""
    return TANK_NAME.fullmatch(name) is not None


def tank_name_problem(name: str) -> str | None:
    """Why NAME is not a valid tank name, with the fix; None when it is valid."""
    if is_valid_tank_name(name):
        return None
    return (
        f"tank name {name[:40]!r} is not allowed; use 1-32 lowercase letters, digits, '-' or '_' "
        "(for example 'turtles' or 'tank-2')"
    )


def default_topic(tank: str, parameter: str) -> str:
    """The topic a sensor publishes to under the default scheme."""
    return f"{DEFAULT_TOPIC_PREFIX}/{tank}/{parameter}"
