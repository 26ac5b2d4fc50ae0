"""A pattern's parameters: the defaults it declares, and the rules it checks them by.

Every pattern declares ``defaults``: each parameter it takes with its default value, in the types a
scenario file holds (bool, int, float, str, list). That one declaration is the ``[patterns.<id>]``
table of the scenario defaults, what ``--set`` and the TUI form may change, and the types checked
here; ``choices`` names the parameters that take one of a few words. ``check_params`` states what
else the pattern cannot use, with the rule helpers below, so a scenario file, a ``--set`` and a
constructor refuse a bad value in the same words.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from patterns.pattern import Pattern


class ParamError(ValueError):
    """A parameter a pattern cannot take: which one and why (``pattern`` names the pattern once known)."""

    def __init__(self, key: str, reason: str, pattern: str = ""):
        self.key, self.reason, self.pattern = key, reason, pattern
        super().__init__(f"{pattern}.{key}: {reason}" if pattern else f"{key}: {reason}")


def resolve(cls: type[Pattern], params: Mapping[str, Any] | None) -> dict[str, Any]:
    """``params`` over the pattern's defaults, typed like the defaults and checked by its rules."""
    given = dict(params or {})
    try:
        for key in given:
            if key not in cls.defaults:
                known = ", ".join(cls.defaults) or "none"
                raise ParamError(key, f"unknown parameter (known: {known})")
        values = {key: typed(key, given.get(key, default), default)
                  for key, default in copy.deepcopy(dict(cls.defaults)).items()}
        for key, words in cls.choices.items():
            one_of(values, key, words)
        cls.check_params(values)
    except ParamError as exc:
        raise ParamError(exc.key, exc.reason, cls.id) from None
    return values


def typed(key: str, value: Any, default: Any) -> Any:
    """``value`` as the type of ``default`` (an int for an int, a float for a float), or ``ParamError``."""
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ParamError(key, f"must be true or false, got {value!r}")
        return value
    if isinstance(default, int | float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ParamError(key, f"must be a number, got {value!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamError(key, f"must be a finite number, got {value!r}")
        if isinstance(default, int) and not float(value).is_integer():
            raise ParamError(key, f"must be a whole number, got {value!r}")
        return type(default)(value)
    if not isinstance(value, type(default)):
        kind = "a list" if isinstance(default, list) else "a string"
        raise ParamError(key, f"must be {kind}, got {value!r}")
    return value


# -- rules a pattern's check_params states ------------------------------------------------------------
def positive(params: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if params[key] <= 0:
            raise ParamError(key, f"must be greater than 0, got {params[key]!r}")


def not_negative(params: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if params[key] < 0:
            raise ParamError(key, f"must not be negative, got {params[key]!r}")


def fraction(params: Mapping[str, Any], *keys: str) -> None:
    for key in keys:
        if not 0 <= params[key] <= 1:
            raise ParamError(key, f"must be a fraction between 0 and 1, got {params[key]!r}")


def at_most(params: Mapping[str, Any], key: str, limit: float, why: str) -> None:
    if params[key] > limit:
        raise ParamError(key, f"must be at most {limit:g} ({why}), got {params[key]!r}")


def one_of(params: Mapping[str, Any], key: str, choices: tuple[str, ...]) -> None:
    if params[key] not in choices:
        raise ParamError(key, f"must be one of {', '.join(choices)}, got {params[key]!r}")
