"""Times on the page's charts and tables: wall-clock times in the keeper's zone, and its name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import pandas as pd

from dashboard.formatting import server_zone, zone_name

__all__ = ["local_times", "zone_name"]


def local_times(epochs: Sequence[float], zone: tzinfo | None) -> pd.DatetimeIndex:
    """Epoch seconds as wall-clock times in ZONE (naive, so plotly shows them as they are)."""
    stamps = pd.to_datetime(pd.Series(epochs, dtype="float64"), unit="s", utc=True)
    return pd.DatetimeIndex(stamps.dt.tz_convert(zone or server_zone()).dt.tz_localize(None))
