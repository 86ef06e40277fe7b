"""The one rule for a keeper's free-text note, shared by the command line, the dashboard and CSV."""

from __future__ import annotations

__all__ = ["NOTE_MAX_CHARS", "note_problem"]

# Judgement: a note is a line or two ("kit brand, anything unusual"); 500 characters holds a
# paragraph and keeps one pasted file (a 120 KB note was accepted) out of every logbook view.
NOTE_MAX_CHARS = 500


def note_problem(note: str) -> str:
    """Why NOTE cannot be stored, with the fix, or '' when it can."""
    if len(note) > NOTE_MAX_CHARS:
        return (
            f"the note is {len(note):,} characters long; a note holds at most "
            f"{NOTE_MAX_CHARS}: shorten it"
        )
    return ""
