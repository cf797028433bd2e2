"""Force the race of two runs logging one new data set: every racer looks, then all insert.

MLflow's store looks a run's data sets up, then inserts the missing ones. `hold_inserts`
makes every INSERT of a data set wait (through SQLAlchemy's own event hook, in the process
that owns the store) until `wait` returns; with a barrier of N racers, all N have looked and
found nothing before any of them inserts, so N - 1 inserts break the unique constraint.
The server's side is installed by `dataset_race_site/sitecustomize.py`.
"""

from __future__ import annotations

from collections.abc import Callable

PARTIES_VARIABLE = "DATASET_RACE_PARTIES"  # set in a server's environment: racers to hold for


def hold_inserts(wait: Callable[[], object]) -> None:
    """Call `wait()` before each INSERT into the store's datasets table, in this process."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def before_execute(connection, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO DATASETS"):
            wait()

    event.listen(Engine, "before_cursor_execute", before_execute)
