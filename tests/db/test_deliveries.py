"""The redelivery window: a DUP message is a copy only of this session's recent message (on
SQLite and PostgreSQL: the window's upsert is written for each driver)."""

from __future__ import annotations

from sqlalchemy import Engine

from db.deliveries import REDELIVERY_WINDOW, Delivery, DeliveryWindow


def decide(engine: Engine, window: DeliveryWindow, batch: list[Delivery]) -> set[Delivery]:
    """Run one batch through the window in its own transaction."""
    with engine.connect().execution_options(sqlite_write=True) as conn, conn.begin():
        return window.duplicates(conn, batch)


def test_a_redelivery_of_a_recent_message_is_a_copy(any_engine: Engine) -> None:
    """Same session, packet id and content, DUP set, within the window: a duplicate."""
    window = DeliveryWindow()
    assert decide(any_engine, window, [Delivery("s", 7, 111, False)]) == set()
    again = Delivery("s", 7, 111, True)
    assert decide(any_engine, window, [again]) == {again}


def test_a_redelivery_in_the_same_batch_is_a_copy(any_engine: Engine) -> None:
    """The original and its redelivery committed together still count once."""
    original, again = Delivery("s", 9, 5, False), Delivery("s", 9, 5, True)
    assert decide(any_engine, DeliveryWindow(), [original, again]) == {again}


def test_other_sessions_and_other_content_are_never_copies(any_engine: Engine) -> None:
    """Another client id, or another payload under the same packet id, is a new reading."""
    window = DeliveryWindow()
    decide(any_engine, window, [Delivery("s", 1, 42, False)])
    assert decide(any_engine, window, [Delivery("t", 1, 42, True)]) == set()
    assert decide(any_engine, window, [Delivery("s", 1, 43, True)]) == set()


def test_a_packet_id_reused_after_the_window_is_a_new_reading(any_engine: Engine) -> None:
    """Past the window (packet ids wrap), the same id and value is a new reading, not a copy."""
    window = DeliveryWindow()
    decide(any_engine, window, [Delivery("s", 1, 25, False)])
    filler = [Delivery("s", 2 + i % 60_000, i, False) for i in range(REDELIVERY_WINDOW)]
    decide(any_engine, window, filler)
    assert decide(any_engine, window, [Delivery("s", 1, 25, True)]) == set()


def test_the_window_survives_a_restart(any_engine: Engine) -> None:
    """A new process (a fresh window) still recognises the last run's unacked messages."""
    decide(any_engine, DeliveryWindow(), [Delivery("s", 3, 9, False)])
    again = Delivery("s", 3, 9, True)
    assert decide(any_engine, DeliveryWindow(), [again]) == {again}
