"""Provider amounts ↔ our integer minor units, exactly: integer arithmetic, never floats.

YooKassa writes amounts as decimal strings with two decimals (``"100.00"``); T-Bank as integer
kopecks. A value with more precision than the currency has is refused, not rounded.
"""

from __future__ import annotations

import re

from parovoz_kit.errors import Unavailable

#: Minor units per major unit is 10**exponent; every currency YooKassa takes has 2 decimals.
DEFAULT_EXPONENT = 2
_DECIMAL = re.compile(r"^(-?)(\d+)(?:\.(\d+))?$")


def minor_to_decimal(amount_minor: int, exponent: int = DEFAULT_EXPONENT) -> str:
    if type(amount_minor) is not int:
        raise TypeError("amounts are int minor units")
    sign = "-" if amount_minor < 0 else ""
    whole, fraction = divmod(abs(amount_minor), 10**exponent)
    if exponent == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{fraction:0{exponent}d}"


def decimal_to_minor(value: str, exponent: int = DEFAULT_EXPONENT) -> int:
    """``"100.5"`` → 10050. A provider answer we cannot read exactly is the provider's fault."""
    if not isinstance(value, str):
        raise Unavailable(
            "The provider answered an unreadable amount.", code="PROVIDER_BAD_RESPONSE"
        )
    match = _DECIMAL.match(value.strip())
    if match is None:
        raise Unavailable(
            "The provider answered an unreadable amount.", code="PROVIDER_BAD_RESPONSE"
        )
    sign, whole, fraction = match.group(1), match.group(2), match.group(3) or ""
    if len(fraction) > exponent:
        if fraction[exponent:].strip("0"):
            raise Unavailable(
                "The provider answered an amount finer than the currency allows.",
                code="PROVIDER_BAD_RESPONSE",
            )
        fraction = fraction[:exponent]
    minor = int(whole) * 10**exponent + int(fraction.ljust(exponent, "0") or "0")
    return -minor if sign else minor
