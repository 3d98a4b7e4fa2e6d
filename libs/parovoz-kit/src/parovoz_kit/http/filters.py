"""``filter[...]`` query values: a comma-separated choice among an enum's values."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from parovoz_kit.errors import ValidationFailed

E = TypeVar("E", bound=Enum)


def listed(kind: type[E], raw: str | None, parameter: str) -> list[E]:
    """``a,b``: the members of ``kind`` with those values, in the order given (none: ``[]``);
    a value ``kind`` lacks is 400 ``INVALID_FILTER`` naming ``parameter`` and the values it
    takes."""
    if raw is None:
        return []
    chosen: list[E] = []
    for value in raw.split(","):
        try:
            chosen.append(kind(value.strip()))
        except ValueError:
            allowed = ", ".join(str(member.value) for member in kind)
            raise ValidationFailed(
                f"{parameter} takes {allowed} (comma-separated), not {value!r}.",
                detail_ru=f"{parameter} принимает {allowed} (через запятую), а не {value!r}.",
                code="INVALID_FILTER",
                parameter=parameter,
            ) from None
    return chosen
