"""User-facing errors: one sentence a user can act on, caught at the CLI edge."""

from __future__ import annotations


class FinopsError(Exception):
    """An error shown to the user as one line; ``hint`` says what to do next."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message} ({self.hint})"
        return self.message


class ConfigError(FinopsError):
    """The configuration file is missing, unreadable or invalid."""

    exit_code = 2


class CacheError(FinopsError):
    """The cache file cannot be opened, is foreign, or is from a newer version."""

    exit_code = 1


class InputError(FinopsError):
    """A file or argument given by the user is malformed."""

    exit_code = 1


class UsageError(InputError):
    """A malformed option or argument on the command line: exit 2, like argparse's own usage errors."""

    exit_code = 2


class SyncError(FinopsError):
    """A sync from AWS failed; the cache is left as it was."""

    exit_code = 1
