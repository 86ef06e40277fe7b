"""A tank's water-change verdict: history from db/, judgement from health/, profile from config."""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from db.tank_history import load_tank_history
from health import advise
from health.profiles import DEFAULT_PROFILE, Profile, get_profile
from health.verdict import Verdict
from sensors.errors import ConfigError

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from settings.config import AppConfig


def profile_for(config: AppConfig | None, tank: str, profile_name: str) -> Profile:
    """TANK's profile with the config's per-tank limit overrides applied (None: no config)."""
    tanks = config.tanks if config is not None else []
    overrides = next((t.limits for t in tanks if t.name == tank), None)
    try:
        return get_profile(profile_name, overrides)
    except ConfigError as exc:
        raise ConfigError(
            f"tank {tank!r}: {exc}; fix it with 'aquarium tank edit {tank} --profile "
            f"{DEFAULT_PROFILE}' or in the config file"
        ) from exc


def verdict_for(
    engine: Engine, config: AppConfig | None, tank: str, at: datetime, zone: tzinfo | None = None
) -> Verdict:
    """The advisor's verdict for TANK at AT, from data up to AT, written in ZONE (UTC if None).

    CONFIG None: no config file, so no per-tank overrides.
    """
    history = load_tank_history(engine, tank, at)
    return advise(history, at, profile_for(config, tank, history.profile), zone)
