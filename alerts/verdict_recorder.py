"""A sink that keeps each tank's latest verdict in the database, for the dashboard's home page.

The alert round already computes every tank's verdict; storing it lets the home page show 200
tanks from one query instead of running the advisor 200 times per page view.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from alerts.evaluator import ProfileLookup, builtin_profile
from alerts.notice import Evaluation, Notice
from db.latest import LatestValue, latest_values, latest_values_of
from db.tanks import get_tank, list_tanks
from db.verdicts import Worst, save_verdict, save_verdicts
from health.profiles import Profile, parameter_status
from health.verdict import Verdict

__all__ = ["VerdictRecorder"]

_RANK = {"ok": 0, "watch": 1, "act": 2}


class VerdictRecorder:
    """Writes one row per tank per round (tank_verdicts), a round's batch in one transaction."""

    def __init__(self, engine: Engine, profiles: ProfileLookup = builtin_profile) -> None:
        self.engine = engine
        self.profiles = profiles

    def start(self) -> None:
        return None

    def deliver(self, verdict: Verdict, notices: Sequence[Notice]) -> None:
        """Store VERDICT with the tank's worst parameter right now."""
        save_verdict(self.engine, verdict, self.worst(verdict.tank))

    def deliver_many(self, evaluations: Sequence[Evaluation]) -> None:
        """Store a batch of a round's verdicts in one transaction (alerts.engine.BatchSink).

        The batch's newest values come in one go (db.latest.latest_values_of) rather than in some
        25 statements per tank, and one write replaces a disk flush per tank.
        """
        latest = latest_values_of(self.engine, [e.tank for e in evaluations])
        profiles = {t.name: t.profile for t in list_tanks(self.engine, include_archived=True)}
        save_verdicts(
            self.engine,
            [
                (e.verdict, _worst(self.profiles(e.tank, profiles[e.tank]), latest[e.tank]))
                for e in evaluations
                # A tank removed since its evaluation: its verdict would be dropped anyway.
                if e.tank in latest and e.tank in profiles
            ],
        )

    def worst(self, tank: str) -> Worst | None:
        """The newest value furthest out of the profile's band (first by name among equals)."""
        profile = self.profiles(tank, get_tank(self.engine, tank).profile)
        return _worst(profile, latest_values(self.engine, tank))

    def close(self, timeout: float) -> None:
        return None


def _worst(profile: Profile, values: Sequence[LatestValue]) -> Worst | None:
    """The newest value furthest out of PROFILE's band (first by name among equals)."""
    found: Worst | None = None
    for latest in values:
        value = latest.newest.value
        status = parameter_status(profile, latest.parameter, value)
        if found is None or _RANK[status] > _RANK[found.status]:
            found = Worst(latest.parameter, value, status)
    return found
