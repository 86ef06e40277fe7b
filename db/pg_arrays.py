"""PostgreSQL array parameters for the batched writes, as one text literal each."""

from __future__ import annotations

from collections.abc import Iterable


def number_array(values: Iterable[int | float]) -> str:
    """VALUES as a PostgreSQL array literal such as '{1,2.5}', for a %s::float8[] parameter.

    psycopg adapts a list parameter element by element (in text form, with a regular-expression
    check of each for quoting): 2-4 us a reading for a batch's arrays, more than the server's
    work. Numbers need no quoting, and repr() of a float is the shortest text that reads back as
    the same double, so the stored times and values are bit for bit those of a list.
    """
    return "{" + ",".join(map(repr, values)) + "}"
