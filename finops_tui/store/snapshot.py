"""Whole, single-file copies of a cache (``finops-tui snapshot``; ``publish`` reuses it).

Copying the ``.db`` file of an open cache loses whatever still sits in its
``-wal`` file. ``VACUUM INTO`` reads one consistent snapshot of the database
(WAL included) through a read-only connection and writes a compact file in
rollback-journal mode, so the copy needs no ``-wal``/``-shm`` beside it and
opens on read-only media. The copy is written to a temporary name in the
target folder and renamed into place: a failure never leaves half a file, and
an existing file is never replaced unless the caller says so.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from finops_tui.errors import CacheError, InputError
from finops_tui.store.db import _check_header, _inspect_existing


def write_snapshot(source_path: str | Path, out_path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a consistent copy of the cache at ``source_path`` to ``out_path``; returns ``out_path``.

    Raises :class:`CacheError` if the source is missing or not a finops-tui
    cache, and :class:`InputError` if ``out_path`` exists (unless
    ``overwrite``), is the source itself, or cannot be written. The source is
    only read.
    """
    source = Path(source_path)
    out = Path(out_path)
    if not source.is_file() or source.stat().st_size == 0:
        raise CacheError(f"no cache at {source}", "give the cache to copy with --cache")
    _check_header(source)
    _inspect_existing(source)
    if out.exists() and out.resolve() == source.resolve():
        raise InputError(f"{out} is the cache itself; give another file name for the snapshot")
    if out.is_dir():
        raise InputError(f"{out} is a directory; give a file name such as {out / 'finops-snapshot.db'}")
    if out.exists() and not overwrite:
        raise InputError(f"{out} already exists; give a new name, or pass --force to replace it")
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {out}: the folder {folder} does not exist")
    try:
        handle, temp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise InputError(f"cannot write {out}: {error.strerror or error}") from None
    os.close(handle)
    temp = Path(temp_name)  # empty, which VACUUM INTO accepts
    try:
        _vacuum_into(source, temp)
        os.replace(temp, out)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return out


def _vacuum_into(source: Path, target: Path) -> None:
    conn = _open_read_only(source)
    try:
        conn.execute("VACUUM INTO ?", (str(target),))
    except sqlite3.OperationalError as error:
        message = str(error)
        if "full" in message.lower():
            raise InputError(f"cannot write {target.parent}: the disk is full; nothing was written") from None
        raise InputError(f"cannot write the snapshot into {target.parent}: {message}") from None
    except sqlite3.DatabaseError as error:
        raise CacheError(f"cannot read cache {source}: {error}") from None
    finally:
        conn.close()


def _open_read_only(source: Path) -> sqlite3.Connection:
    """A connection that never writes the source: ``mode=ro``, else ``immutable`` on read-only media."""
    uri = source.resolve().as_uri()
    try:
        conn = sqlite3.connect(f"{uri}?mode=ro", uri=True, isolation_level=None)
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        # A WAL cache in a folder we cannot write (no -shm possible): nobody can be
        # writing it either, so reading it as immutable is safe.
        return sqlite3.connect(f"{uri}?immutable=1", uri=True, isolation_level=None)
