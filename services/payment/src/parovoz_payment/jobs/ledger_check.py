"""Ledger check: proves the payment database's ledger is consistent, or names what is not.

    python -m parovoz_payment.jobs.ledger_check [--database-url URL]   (make ledger-check)

Checks, each computed by one SQL statement (so each is a consistent snapshot on its own; the
command also runs them all in one REPEATABLE READ READ ONLY transaction):

1. every transaction balances: debits == credits per currency, and has at least two entries;
2. over all accounts, per currency, debits == credits (from entries and from stored balances);
3. every account's stored ``debits_posted`` / ``credits_posted`` equals the sums of its entries;
4. no entry's currency differs from its account's;
5. no account breaks its limit (a wallet below zero);
6. per currency, the gift-card liability equals the value of gift cards neither redeemed,
   broken (expired value the breakage job already took) nor refunded (a bought card paid back);
   reserved value is still owed;
7. every completed developer or streamer payout's hold went to payout clearing, a failed one's
   came back (or was never taken), a processing one's is still held — no hold is left behind.
8. per user and currency, the preorder advance equals what their preorder payments took and
   neither refunded nor recognised as a sale;
9. revenue share (``jobs/revenue_checks.py``): every game sale's shares add up to its gross and
   match its settlement's postings, its reversals never exceed them and match theirs, and every
   release moved the share less what reversals took during the hold.
10. chargebacks (``jobs/chargeback_checks.py``): every dispute took its amount out of provider
    clearing (a won one put it back), and users' receivables equal what their disputes left
    owed, less what top-ups and wallet refunds repaid.

Prints what it checked and exits 1 on any violation. Tests call :func:`check_ledger` on their
own connection (e.g. inside a transaction they roll back).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from parovoz_payment.jobs.chargeback_checks import CHARGEBACK_CHECKS, CHARGEBACK_OFFENDERS
from parovoz_payment.jobs.revenue_checks import REVENUE_CHECKS, REVENUE_OFFENDERS
from parovoz_payment.settings import PaymentSettings

#: Offenders listed per check; the counts are always complete.
SAMPLE = 20


@dataclass
class Violation:
    check: str
    count: int
    samples: list[str]


@dataclass
class LedgerReport:
    accounts: int = 0
    transactions: int = 0
    entries: int = 0
    #: currency -> (total debits, total credits) over all entries
    totals: dict[str, tuple[int, int]] = field(default_factory=dict)
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.violations

    def violation(self, check: str) -> Violation | None:
        return next((v for v in self.violations if v.check == check), None)

    def render(self) -> str:
        lines = [
            f"ledger check: {self.accounts} accounts, {self.transactions} transactions, "
            f"{self.entries} entries",
        ]
        for currency, (debits, credits) in sorted(self.totals.items()):
            lines.append(f"  {currency}: debits {debits} = credits {credits} (minor units)")
        if not self.totals:
            lines.append("  no entries yet")
        for check, description in _CHECKS.items():
            found = self.violation(check)
            status = "ok" if found is None else f"VIOLATED ({found.count})"
            lines.append(f"  [{status}] {description}")
            for sample in [] if found is None else found.samples:
                lines.append(f"      {sample}")
        lines.append("ledger check: " + ("OK" if self.ok else "FAILED"))
        return "\n".join(lines)


_CHECKS = {
    "unbalanced_transactions": "every transaction balances per currency",
    "short_transactions": "every transaction has at least two entries",
    "unbalanced_currencies": "per currency, all debits equal all credits (entries and balances)",
    "balance_mismatches": "every stored balance equals the one re-derived from entries",
    "currency_mismatches": "every entry's currency is its account's",
    "limit_breaches": "no account breaks its limit (no wallet below zero)",
    "gift_card_liability": (
        "gift-card liability equals the cards' unredeemed, unbroken, unrefunded value"
    ),
    "payout_holds": "developers' and streamers' completed payouts' holds are cleared; failed "
    "ones hold nothing",
}

# Queries are plain constants (no input ever reaches them). d / c = debits / credits.
_OFFENDERS = {
    "unbalanced_transactions": """
        SELECT transaction_id || ' ' || currency || ': debits ' || d || ' credits ' || c
        FROM (SELECT transaction_id, currency,
                     coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0) AS d,
                     coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0) AS c
              FROM ledger_entries GROUP BY transaction_id, currency) AS sides
        WHERE d <> c""",
    "short_transactions": """
        SELECT t.id || ': ' || count(e.id) || ' entries'
        FROM ledger_transactions t LEFT JOIN ledger_entries e ON e.transaction_id = t.id
        GROUP BY t.id HAVING count(e.id) < 2""",
    "unbalanced_currencies": """
        SELECT coalesce(e.currency, b.currency) || ': entries debits ' || coalesce(e.d, 0)
               || ' credits ' || coalesce(e.c, 0) || ', stored balances debits '
               || coalesce(b.d, 0) || ' credits ' || coalesce(b.c, 0)
        FROM (SELECT currency,
                     coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0) AS d,
                     coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0) AS c
              FROM ledger_entries GROUP BY currency) e
        FULL JOIN (SELECT currency, sum(debits_posted) d, sum(credits_posted) c
                   FROM ledger_accounts GROUP BY currency) b ON b.currency = e.currency
        WHERE coalesce(e.d, 0) <> coalesce(e.c, 0) OR coalesce(b.d, 0) <> coalesce(b.c, 0)""",
    "balance_mismatches": """
        SELECT a.id || ' (' || a.owner_type || ' ' || a.purpose || ' ' || a.currency
               || '): stored ' || a.debits_posted || '/' || a.credits_posted
               || ', from entries ' || coalesce(e.d, 0) || '/' || coalesce(e.c, 0)
        FROM ledger_accounts a
        LEFT JOIN (SELECT account_id,
                          coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0) AS d,
                          coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0) AS c
                   FROM ledger_entries GROUP BY account_id) e ON e.account_id = a.id
        WHERE a.debits_posted <> coalesce(e.d, 0) OR a.credits_posted <> coalesce(e.c, 0)""",
    "currency_mismatches": """
        SELECT 'entry ' || e.id || ' in ' || e.currency || ' on account ' || a.id
               || ' in ' || a.currency
        FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
        WHERE e.currency <> a.currency""",
    "limit_breaches": """
        SELECT id || ' (' || purpose || '): debits ' || debits_posted
               || ' credits ' || credits_posted
        FROM ledger_accounts
        WHERE (debits_must_not_exceed_credits AND debits_posted > credits_posted)
           OR (credits_must_not_exceed_debits AND credits_posted > debits_posted)""",
    "gift_card_liability": """
        SELECT coalesce(l.currency, c.currency) || ': ledger ' || coalesce(l.owed, 0)
               || ', cards ' || coalesce(c.owed, 0)
        FROM (SELECT currency, sum(credits_posted - debits_posted) AS owed
              FROM ledger_accounts WHERE purpose = 'gift_card_liability'
              GROUP BY currency) l
        FULL JOIN (SELECT currency,
                          sum(initial_minor - redeemed_minor - broken_minor - refunded_minor)
                              AS owed
                   FROM gift_cards GROUP BY currency) c ON c.currency = l.currency
        WHERE coalesce(l.owed, 0) <> coalesce(c.owed, 0)""",
    # What each payout's postings did to its payee's hold account: a developer's payout hold
    # (kinds payout_*, use_cases/payout_ledger.py) or a streamer's payout clearing (kinds
    # streamer_payout_*, use_cases/streamer_payout_ledger.py); reference = the payout id.
    "payout_holds": """
        SELECT p.id || ' (' || p.status || ', ' || p.amount_minor || '): held ' || h.held
               || ', paid ' || h.paid || ', returned ' || h.returned
        FROM (SELECT id, status, amount_minor, 'payout' AS kind, 'developer' AS owner_type,
                     'developer_payout_hold' AS purpose
              FROM developer_payouts
              UNION ALL
              SELECT id, status, amount_minor, 'streamer_payout', 'streamer', 'payout_clearing'
              FROM streamer_payouts) AS p
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(e.amount) FILTER (WHERE t.kind = p.kind || '_hold'
                                                  AND e.direction = 'credit'), 0) AS held,
                   coalesce(sum(e.amount) FILTER (WHERE t.kind = p.kind || '_completed'
                                                  AND e.direction = 'debit'), 0) AS paid,
                   coalesce(sum(e.amount) FILTER (WHERE t.kind = p.kind || '_released'
                                                  AND e.direction = 'debit'), 0) AS returned
            FROM ledger_transactions t
            JOIN ledger_entries e ON e.transaction_id = t.id
            JOIN ledger_accounts a ON a.id = e.account_id
                                  AND a.purpose = p.purpose AND a.owner_type = p.owner_type
            WHERE t.reference = p.id::text) AS h
        WHERE NOT CASE p.status
            WHEN 'completed' THEN h.held = p.amount_minor AND h.paid = p.amount_minor
                                  AND h.returned = 0
            WHEN 'failed' THEN h.paid = 0 AND h.returned = h.held
                               AND h.held IN (0, p.amount_minor)
            ELSE h.held = p.amount_minor AND h.paid = 0 AND h.returned = 0
        END""",
}

# Preorders (``use_cases.preorder_ledger``): each user's advance is exactly what their
# preorder payments took and neither gave back nor were recognised as sales.
_CHECKS["preorder_advances"] = "every preorder advance equals its unrecognised payments"
_OFFENDERS["preorder_advances"] = """
    SELECT coalesce(l.owner_id, p.user_id) || ' ' || coalesce(l.currency, p.currency)
           || ': advance ' || coalesce(l.owed, 0) || ', payments ' || coalesce(p.owed, 0)
    FROM (SELECT owner_id, currency, credits_posted - debits_posted AS owed
          FROM ledger_accounts WHERE purpose = 'preorder_advance') l
    FULL JOIN (SELECT user_id::text AS user_id, currency,
                      sum(captured_amount_minor - refunded_amount_minor) AS owed
               FROM payments py
               WHERE purpose = 'preorder' AND status = 'succeeded'
                 AND NOT EXISTS (SELECT 1 FROM ledger_transactions t
                                 WHERE t.kind = 'preorder_sale' AND t.reference = py.id::text)
               GROUP BY user_id, currency) p
           ON p.user_id = l.owner_id AND p.currency = l.currency
    WHERE coalesce(l.owed, 0) <> coalesce(p.owed, 0)"""

# Revenue share's checks (their own module: sales, reversals, releases vs the ledger).
_CHECKS.update(REVENUE_CHECKS)
_OFFENDERS.update(REVENUE_OFFENDERS)
# Chargebacks' (their own module: disputes vs their postings, users' receivables).
_CHECKS.update(CHARGEBACK_CHECKS)
_OFFENDERS.update(CHARGEBACK_OFFENDERS)

_TOTALS = """
    SELECT currency,
           coalesce(sum(amount) FILTER (WHERE direction = 'debit'), 0),
           coalesce(sum(amount) FILTER (WHERE direction = 'credit'), 0)
    FROM ledger_entries GROUP BY currency ORDER BY currency"""

#: Count and sample of one check's offenders, from one statement (one snapshot).
_OFFENDERS_SAMPLE = (
    "SELECT count(*) OVER (), offender FROM ({query}) AS found(offender) "
    "ORDER BY offender LIMIT :sample"
)


async def check_ledger(connection: AsyncConnection | AsyncSession) -> LedgerReport:
    """Run every check on ``connection`` (in whatever transaction it is in) and report."""
    report = LedgerReport()
    counts = await connection.execute(
        text(
            "SELECT (SELECT count(*) FROM ledger_accounts), "
            "(SELECT count(*) FROM ledger_transactions), (SELECT count(*) FROM ledger_entries)"
        )
    )
    report.accounts, report.transactions, report.entries = counts.one()
    totals = await connection.execute(text(_TOTALS))
    report.totals = {currency: (int(d), int(c)) for currency, d, c in totals}
    for check, query in _OFFENDERS.items():
        rows = await connection.execute(
            text(_OFFENDERS_SAMPLE.format(query=query)), {"sample": SAMPLE}
        )
        found = rows.all()
        if found:
            report.violations.append(Violation(check, found[0][0], [row[1] for row in found]))
    return report


async def run_check(database_url: str) -> LedgerReport:
    engine = create_async_engine(database_url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            # One snapshot for all checks, and a guarantee the check writes nothing.
            connection = await connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            async with connection.begin():
                return await check_ledger(connection)
    finally:
        await engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prove the payment ledger is consistent.")
    parser.add_argument(
        "--database-url", default=None, help="default: PAYMENT_DATABASE_URL / the local database"
    )
    args = parser.parse_args(argv)
    report = asyncio.run(run_check(args.database_url or PaymentSettings().database_url))
    print(report.render())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
