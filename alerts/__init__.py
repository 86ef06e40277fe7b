"""Alerts: rules evaluated inside the daemon, their state in the database, delivery to the keeper.

rules.py (what to watch) -> evaluator.py (history -> verdict -> health.rules.step -> db) ->
engine.py (when, in the daemon) -> apprise_notifier.py and mqtt_publisher.py (where to).
Nothing is imported here, so reading the rules does not load apprise or paho.
"""
