"""A tank's water-change verdict: history from db/, judgement from health/, profile from config."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import Engine

from db.tank_history import load_tank_history
from db.tanks import get_tank
from health import advise
from health.profiles import DEFAULT_PROFILE, Profile, get_profile
from health.verdict import Verdict
from sensors.errors import ConfigError
from settings.config import AppConfig


def profile_for(config: AppConfig, tank: str, profile_name: str) -> Profile:
    """TANK's profile with the config's per-tank limit overrides applied."""
    overrides = next((t.limits for t in config.tanks if t.name == tank), None)
    try:
        return get_profile(profile_name, overrides)
    except ConfigError as exc:
        raise ConfigError(
            f"tank {tank!r}: {exc}; fix it with 'aquarium tank edit {tank} --profile "
            f"{DEFAULT_PROFILE}' or in the config file"
        ) from exc


def verdict_for(
    engine: Engine, config: AppConfig, tank: str, at: datetime, zone: tzinfo | None = None
) -> Verdict:
    """The advisor's verdict for TANK at AT, from data up to AT, written in ZONE (UTC if None)."""
    found = get_tank(engine, tank)
    profile = profile_for(config, tank, found.profile)
    return advise(load_tank_history(engine, tank, at), at, profile, zone)
