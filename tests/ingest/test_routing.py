"""The router answers with values: readings, a device's availability, or Ignored; it raises only
for a message that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.routing import Ignored, Rejected, Router
from sensors.naming import OWN_TOPICS

RECEIVED = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("own", sorted(OWN_TOPICS))
def test_our_own_topics_are_ignored_not_refused(own: str) -> None:
    """aquarium/<tank>/advice (and the other topics we publish) come back as Ignored."""
    assert Router([]).route(f"aquarium/t1/{own}", b"{}", RECEIVED) == Ignored(f"aquarium/t1/{own}")


def test_a_reading_comes_back_as_values_and_junk_is_refused() -> None:
    """A plain number is one value; an unknown parameter raises Rejected with the reason."""
    values = Router([]).route("aquarium/t1/ph", b"7.2", RECEIVED)
    assert isinstance(values, list)
    [value] = values
    assert (value.tank, value.parameter, value.value) == ("t1", "ph", 7.2)
    with pytest.raises(Rejected, match="unknown parameter"):
        Router([]).route("aquarium/t1/salinity", b"35", RECEIVED)
