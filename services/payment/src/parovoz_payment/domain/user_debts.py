"""A user's debt to the platform (``user_receivable``): a disputed top-up's money the wallet no
longer held when the acquirer took it back (``domain.chargebacks.take_back_top_up``).

The debt is netted, never blocked on: money coming into the wallet repays it first and only the
rest reaches the wallet. A won dispute cancels its debt only as far as it is still owed; what
the user repaid of a debt that turned out not to exist goes back to their wallet. One user's
debts are one balance: a repayment pays "what they owe", not one dispute's part of it.
"""

from __future__ import annotations

from dataclasses import dataclass

from parovoz_payment.domain.money import Money


@dataclass(frozen=True, slots=True)
class Repayment:
    """Money coming into the wallet while the user owes: the debt takes its part first."""

    repays_debt: Money
    to_wallet: Money


def repay_first(amount: Money, owed: Money) -> Repayment:
    repays = min(amount, max(owed, Money.zero(owed.currency)))
    return Repayment(repays, amount - repays)


@dataclass(frozen=True, slots=True)
class WonTopUp:
    """A won dispute of a top-up: the money came back, every part goes where it came from."""

    #: The dispute's debt still owed, cancelled (``user_receivable`` credited).
    cancels_debt: Money
    #: What the wallet gave, plus what the user repaid of the dispute's debt.
    to_wallet: Money


def won_top_up(wallet_debited: Money, user_owed: Money, still_owed: Money) -> WonTopUp:
    """``still_owed``: the user's whole debt now (their other disputes' included)."""
    cancels = min(user_owed, max(still_owed, Money.zero(user_owed.currency)))
    return WonTopUp(cancels, wallet_debited + user_owed - cancels)
