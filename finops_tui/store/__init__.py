"""The SQLite cache: schema, migrations and the queries the front ends need."""

from finops_tui.store.db import Store, open_store

__all__ = ["Store", "open_store"]
