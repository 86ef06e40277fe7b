"""The pure tank-health domain: profiles, chemistry, the water-change advisor, filter and sensor
health, and the alert rule state machine. Standard library only, no I/O (a test enforces it).
"""

from health.advisor import advise
from health.chemistry import (
    FreeAmmonia,
    change_fraction,
    changes_needed,
    compensate_ec25,
    dilution,
    free_ammonia,
    free_ammonia_fraction,
    free_ammonia_from_samples,
    nearest_sample,
    steady_state_peak,
)
from health.filter_health import CycleStage, CycleStatus, cycle_status
from health.profiles import (
    DEFAULT_PROFILE,
    OVERRIDABLE,
    PROFILES,
    Limits,
    Profile,
    get_profile,
    limits,
    parameter_status,
    safe_band,
)
from health.rules import AlertState, RuleSpec, RuleState, Transition, acknowledge, step
from health.sensor_health import SensorIssue, sensor_issues
from health.types import (
    MAINTENANCE_KINDS,
    PARAMETER_UNITS,
    MaintenanceEvent,
    Sample,
    SensorStatus,
    TankHistory,
)
from health.verdict import SEVERITY_RANK, Reason, Severity, Status, Verdict, status_of

__all__ = [
    "DEFAULT_PROFILE",
    "MAINTENANCE_KINDS",
    "OVERRIDABLE",
    "PARAMETER_UNITS",
    "PROFILES",
    "SEVERITY_RANK",
    "AlertState",
    "CycleStage",
    "CycleStatus",
    "FreeAmmonia",
    "Limits",
    "MaintenanceEvent",
    "Profile",
    "Reason",
    "RuleSpec",
    "RuleState",
    "Sample",
    "SensorIssue",
    "SensorStatus",
    "Severity",
    "Status",
    "TankHistory",
    "Transition",
    "Verdict",
    "acknowledge",
    "advise",
    "change_fraction",
    "changes_needed",
    "compensate_ec25",
    "cycle_status",
    "dilution",
    "free_ammonia",
    "free_ammonia_fraction",
    "free_ammonia_from_samples",
    "get_profile",
    "limits",
    "nearest_sample",
    "parameter_status",
    "safe_band",
    "sensor_issues",
    "status_of",
    "steady_state_peak",
    "step",
]
