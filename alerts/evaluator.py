"""One evaluation of one tank: history (db) -> verdict (health) -> rule states -> notices.

The states live in the database (db/alert_state.py) and are read back at every evaluation, so a
restart carries on exactly where the last process stopped: a firing alert is not sent again, a
pending one keeps its hold timer, an acknowledgement keeps repeats quiet.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from sqlalchemy import Engine

from alerts.notice import Evaluation, Notice, notify_type, summary
from alerts.rules import Context, Rule, default_rules
from db.alert_state import RuleUpdate, TankSave, load_rule_states, save_many_rule_states
from db.outbox import OutboxEntry
from db.tank_history import load_tank_history
from health.advisor import advise
from health.profiles import Profile, get_profile
from health.rules import AlertState, RuleState, step
from health.types import as_utc

log = logging.getLogger(__name__)

# (tank name, profile name) -> the tank's profile with its config overrides.
ProfileLookup = Callable[[str, str], Profile]

_OPEN = (AlertState.PENDING, AlertState.FIRING)


def builtin_profile(_tank: str, profile: str) -> Profile:
    """The built-in profile, without per-tank overrides (the config's are wired in aquarium/)."""
    return get_profile(profile)


@dataclass(frozen=True)
class Judged:
    """One tank evaluated, with what its evaluation must store before anything is delivered."""

    evaluation: Evaluation
    save: TankSave


class Evaluator:
    """Steps every rule for a tank and stores the new states; returns what to deliver."""

    def __init__(
        self,
        engine: Engine,
        rules: Sequence[Rule] | None = None,
        profiles: ProfileLookup = builtin_profile,
        zone: tzinfo | None = None,
        endpoints: Sequence[str] = (),
    ) -> None:
        self.engine = engine
        self.zone = zone  # the keeper's: alert messages are read on a phone, in local time
        # The notification URLs (by key, alerts/outbox_delivery.py) each message is queued for.
        self.endpoints = tuple(endpoints)
        self.rules = list(rules) if rules is not None else default_rules()
        names = [r.name for r in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"alert rule names must be unique, got {names}")
        self.profiles = profiles

    def evaluate(self, tank: str, at: datetime) -> Evaluation:
        """Evaluate TANK at AT from the data stored up to AT, and persist the rules' states."""
        judged = self.judge(tank, at)
        self.save([judged])
        return judged.evaluation

    def save(self, judged: Sequence[Judged]) -> None:
        """Store the states and queue the messages of JUDGED tanks, all in one transaction."""
        save_many_rule_states(self.engine, [j.save for j in judged])

    def judge(self, tank: str, at: datetime) -> Judged:
        """Evaluate TANK at AT from the data stored up to AT; nothing is stored until save()."""
        at = as_utc(at, "at")
        history = load_tank_history(self.engine, tank, at).until(at)
        profile = self.profiles(tank, history.profile)
        # The MQTT advice topic carries the verdict as `aquarium advise --json` does, in UTC; the
        # alert messages are the same verdict written in the keeper's zone (issue 10). The
        # status does not depend on the zone, so both verdicts fire the same rules.
        verdict = advise(history, at, profile)
        local = advise(history, at, profile, self.zone) if self.zone is not None else verdict
        ctx = Context(history, local, profile, at)
        stored = load_rule_states(self.engine, tank)
        updates: list[RuleUpdate] = []
        notices: list[Notice] = []
        for rule in self.rules:
            spec = rule.spec(profile)
            if spec is None:
                continue
            try:
                condition = rule(ctx)
            except Exception:  # one broken rule must not silence the others
                log.exception("alert rule %s failed on tank %s; skipped", rule.name, tank)
                continue
            old = stored.get(rule.name, RuleState())
            new, transitions = step(old, condition.value, at, spec)
            if transitions or (new.state in _OPEN and new != old):
                updates.append(RuleUpdate(rule.name, new, condition.message))
            for t in transitions:
                # Pending and cancelled are routine under a flapping input: debug, not info.
                level = logging.INFO if t.notify else logging.DEBUG
                log.log(level, "tank %s: %s %s: %s", tank, rule.name, t.kind, condition.message)
                if t.notify:
                    notices.append(Notice.of(tank, t, condition.message))
        return Judged(
            Evaluation(tank, verdict, notices),
            TankSave(tank, tuple(updates), tuple(self._outbox(tank, notices))),
        )

    def _outbox(self, tank: str, notices: list[Notice]) -> list[OutboxEntry]:
        """One message per URL carrying every notice of this evaluation (alerts/notice.summary)."""
        if not notices or not self.endpoints:
            return []
        title, body = summary(notices)
        rules = tuple(dict.fromkeys(n.rule for n in notices))
        # Wall-clock time: the delivery worker schedules against it, whatever AT was evaluated.
        now = datetime.now(UTC)
        kind = notify_type(notices)
        return [OutboxEntry(e, tank, rules, title, body, kind, now) for e in self.endpoints]
