"""Messages the workers post; handlers on the app own the UI."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from finops_tui.analytics.snapshot import Snapshot


@dataclass
class SnapshotLoaded(Message):
    """A fresh read of the cache for the month and environment shown."""

    snapshot: Snapshot
    acknowledged: frozenset[str]
    month_offset: int
    environment: str | None


@dataclass
class SnapshotFailed(Message):
    """The cache could not be read; the last good figures stay on screen."""

    error: str


@dataclass
class SyncFinished(Message):
    summary: str


@dataclass
class SyncFailed(Message):
    error: str


@dataclass
class SyncUnavailable(Message):
    """AWS is not configured here: the console stays offline and never syncs by itself."""

    reason: str


@dataclass
class ReportExported(Message):
    path: str


@dataclass
class ReportFailed(Message):
    error: str


@dataclass
class WriteDone(Message):
    """A write to the cache (acknowledge, and later approvals or snoozes) landed."""

    summary: str


@dataclass
class WriteFailed(Message):
    """A write to the cache failed (read-only, locked, disk full); the console carries on."""

    error: str
