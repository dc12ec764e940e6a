"""How the settings are declared and checked, at no import cost: pydantic is imported only to validate a file.

The sections of :mod:`finops_tui.config` are plain dataclasses. Their fields carry markers that cost nothing
to create and that pydantic turns into its checks when it first validates a config file (``__pydantic_config__``
and ``__get_pydantic_core_schema__`` are pydantic's own protocols): :class:`Constraint` (bounds, a pattern),
:class:`Check` (a function run on the validated value), :class:`Before` (a function run on the raw value) and
:class:`Secret` (a string never shown). Defaults are constructed without pydantic at all.

A file pydantic accepted once is not validated again while it is unchanged: its validated values are kept as
JSON, keyed by the file's bytes and this code (see :func:`remembered` / :func:`remember`), and built back into the
dataclasses by :func:`build`. So the console's start imports no pydantic unless the config file changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

SECTION_CONFIG = {"extra": "forbid", "allow_inf_nan": False}  # pydantic's ConfigDict, as a plain dict
MEMO_VERSION = "1"
MEMO_KEEP = 20  # remembered files per user; the oldest go first


class Section:
    """The base of every settings section (a ``@dataclass(kw_only=True, eq=False, repr=False)``): unknown keys and
    NaN are refused. Equality and repr are written once here, not generated per class (each generated method is
    compiled at import, and the console imports every section before its first frame)."""

    __pydantic_config__ = SECTION_CONFIG
    __hash__ = None  # type: ignore[assignment] - mutable, like a dataclass with eq

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, item.name) == getattr(other, item.name) for item in fields(self))  # type: ignore[arg-type]

    def __repr__(self) -> str:
        shown = ", ".join(f"{item.name}={getattr(self, item.name)!r}" for item in fields(self))  # type: ignore[arg-type]
        return f"{type(self).__name__}({shown})"


class Constraint:
    """Keys added to the field's core schema when pydantic validates: ``ge``, ``gt``, ``le``, ``pattern``."""

    __slots__ = ("keys",)

    def __init__(self, **keys: object) -> None:
        self.keys = keys

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        schema = handler(source)
        schema.update(self.keys)
        return schema


class Check:
    """A function of the validated value: returns it (maybe normalised) or raises ``ValueError``."""

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(self.function, handler(source))


class Before(Check):
    """A function of the raw value from the file, run before pydantic validates it."""

    __slots__ = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_before_validator_function(self.function, handler(source))


class Secret:
    """A string that is never printed (a webhook URL): ``str()`` and ``repr()`` show stars."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __repr__(self) -> str:
        return f"Secret('{self}')"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            lambda value: value if isinstance(value, Secret) else cls(value),
            core_schema.union_schema([core_schema.is_instance_schema(cls), core_schema.str_schema()]))


def validate(model: type, data: dict[str, Any]) -> Any:
    """Validate ``data`` into ``model`` with pydantic (imported now); raises pydantic's ``ValidationError``."""
    from pydantic import TypeAdapter

    return TypeAdapter(model).validate_python(data)


def plain(value: Any) -> Any:
    """A settings value as JSON data: sections as dicts, secrets as ``None`` (they are never written out)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {item.name: plain(getattr(value, item.name)) for item in fields(value)}
    if isinstance(value, Secret):
        return None
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(model: type) -> dict[str, Any]:
    hints = _HINTS.get(model)
    if hints is None:
        hints = _HINTS[model] = typing.get_type_hints(model, include_extras=True)
    return hints


def build(kind: Any, value: Any, raw: Any = None) -> Any:
    """Values that pydantic validated before (from :func:`plain`) built back into ``kind``, without validating.

    ``raw`` is the same place in the file as read, where the secrets are (``plain`` leaves them out).
    """
    origin = typing.get_origin(kind)
    if origin is typing.Annotated:
        return build(typing.get_args(kind)[0], value, raw)
    if isinstance(kind, type) and is_dataclass(kind):
        hints = _hints(kind)
        if value.keys() != hints.keys():  # every field, as plain() wrote them: anything else is not ours
            raise ValueError(f"{kind.__name__}: remembered fields differ")
        given = raw if isinstance(raw, dict) else {}
        return kind(**{name: build(hints[name], item, given.get(name)) for name, item in value.items()})
    if origin is typing.Union or origin is types.UnionType:
        if value is None and not _has_secret(kind):
            return None
        (inner,) = [arg for arg in typing.get_args(kind) if arg is not type(None)]
        return build(inner, value, raw)
    if kind is Secret:
        return Secret(raw) if isinstance(raw, str) else None
    if origin is list:
        (item_kind,) = typing.get_args(kind)
        given = raw if isinstance(raw, list) else []
        return [build(item_kind, item, given[index] if index < len(given) else None) for index, item in enumerate(value)]
    if origin is dict:
        item_kind = typing.get_args(kind)[1]
        given = raw if isinstance(raw, dict) else {}
        return {key: build(item_kind, item, given.get(key)) for key, item in value.items()}
    if kind is float:
        return float(value)
    return value


def _has_secret(kind: Any) -> bool:
    return Secret in typing.get_args(kind)


# -- remembering a validated file ------------------------------------------------------------------

def memo_dir() -> Path:
    """Where validated config files are remembered: the user's cache dir (``$XDG_CACHE_HOME/finops-tui``)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("finops-tui")) / "settings"


def memo_key(text: bytes) -> str:
    """The file's bytes and the code that validated them: a changed schema validates every file again."""
    digest = hashlib.sha256(f"finops-tui settings {MEMO_VERSION}\0".encode())
    for module in ("finops_tui.config", __name__):
        source = sys.modules[module].__file__
        stat = os.stat(source) if source else None
        digest.update(f"{source}:{stat.st_mtime_ns if stat else 0}:{stat.st_size if stat else 0}\0".encode())
    digest.update(text)
    return digest.hexdigest()


def remembered(key: str) -> Any | None:
    """What :func:`remember` kept for ``key``, or ``None`` (never an error: the file is then validated)."""
    try:
        return json.loads((memo_dir() / f"{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def remember(key: str, values: Any) -> None:
    """Keep the validated values of a file (best effort: an unwritable cache dir only costs the next start)."""
    try:
        folder = memo_dir()
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{key}.{os.getpid()}"
        temporary.write_text(json.dumps(values, separators=(",", ":")), encoding="utf-8")
        temporary.replace(folder / f"{key}.json")
        kept = sorted(folder.glob("*.json"), key=lambda path: path.stat().st_mtime_ns, reverse=True)
        for old in kept[MEMO_KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:
        pass
