"""The ledger check's chargeback part (``jobs/ledger_check.py`` runs these with the rest).

- every dispute's opening postings (kind ``chargeback``) took exactly its amount out of
  provider clearing, a won one's posting (``chargeback_won``) put exactly it back, and no
  other dispute has one;
- per user and currency, what they owe (``user_receivable``) equals the unpaid parts of their
  disputed top-ups not won, less what they repaid (credits to ``user_receivable`` by
  ``wallet_top_up`` and ``refund`` postings, ``use_cases.user_debts``), plus what their won
  disputes gave back to the wallet of a debt already repaid (the part of ``user_owed`` the
  ``chargeback_won`` posting did not credit to ``user_receivable``); and no won dispute
  cancelled more of the debt than it left (no other dispute cancelled any).
"""

from __future__ import annotations

#: check name -> what it proves (printed by ``make ledger-check``).
CHARGEBACK_CHECKS = {
    "chargeback_postings": "every dispute took its amount from clearing; a won one put it back",
    "user_receivables": "users' receivables equal their disputed top-ups' unpaid, unrepaid parts",
}

# Plain constants (no input reaches them), each selecting a description of every offender.
CHARGEBACK_OFFENDERS = {
    "chargeback_postings": """
        SELECT c.id || ' (' || c.status || ', ' || c.amount_minor || '): taken '
               || coalesce(m.taken, 0) || ', returned ' || coalesce(m.returned, 0)
        FROM chargebacks c
        LEFT JOIN LATERAL (
            SELECT sum(e.amount) FILTER (WHERE t.kind = 'chargeback'
                                         AND e.direction = 'credit') AS taken,
                   sum(e.amount) FILTER (WHERE t.kind = 'chargeback_won'
                                         AND e.direction = 'debit') AS returned
            FROM ledger_transactions t
            JOIN ledger_entries e ON e.transaction_id = t.id
            JOIN ledger_accounts a ON a.id = e.account_id AND a.purpose = 'provider_clearing'
            WHERE t.reference = c.id::text) m ON true
        WHERE coalesce(m.taken, 0) <> c.amount_minor
           OR coalesce(m.returned, 0) <> CASE c.status WHEN 'won' THEN c.amount_minor ELSE 0 END""",
    # Per user: the ledger's receivable against the disputes' story of it; then every won
    # dispute, which may cancel no more of the debt than it left.
    "user_receivables": """
        WITH parts AS (
            SELECT c.id, c.user_id, c.currency, c.status, coalesce(c.user_owed_minor, 0) AS owed,
                   coalesce(w.cancelled, 0) AS cancelled
            FROM chargebacks c
            LEFT JOIN LATERAL (
                SELECT sum(e.amount) AS cancelled
                FROM ledger_transactions t
                JOIN ledger_entries e ON e.transaction_id = t.id AND e.direction = 'credit'
                JOIN ledger_accounts a ON a.id = e.account_id AND a.purpose = 'user_receivable'
                WHERE t.reference = c.id::text AND t.kind = 'chargeback_won') w ON true
        ), disputes AS (
            SELECT user_id::text AS user_id, currency,
                   sum(owed) FILTER (WHERE status <> 'won') AS owed,
                   sum(owed - cancelled) FILTER (WHERE status = 'won') AS returned
            FROM parts WHERE owed > 0 OR cancelled > 0 GROUP BY user_id, currency
        ), ledger AS (
            SELECT a.owner_id AS user_id, a.currency, a.debits_posted - a.credits_posted AS owed,
                   coalesce(r.repaid, 0) AS repaid
            FROM ledger_accounts a
            LEFT JOIN LATERAL (
                SELECT sum(e.amount) AS repaid
                FROM ledger_entries e
                JOIN ledger_transactions t ON t.id = e.transaction_id
                WHERE e.account_id = a.id AND e.direction = 'credit'
                  AND t.kind IN ('wallet_top_up', 'refund')) r ON true
            WHERE a.purpose = 'user_receivable'
        )
        SELECT 'user ' || coalesce(l.user_id, d.user_id) || ' '
               || coalesce(l.currency, d.currency) || ': ledger ' || coalesce(l.owed, 0)
               || ', disputes ' || coalesce(d.owed, 0) || ' - repaid ' || coalesce(l.repaid, 0)
               || ' + returned by won disputes ' || coalesce(d.returned, 0)
        FROM ledger l
        FULL JOIN disputes d ON d.user_id = l.user_id AND d.currency = l.currency
        WHERE coalesce(l.owed, 0)
              <> coalesce(d.owed, 0) - coalesce(l.repaid, 0) + coalesce(d.returned, 0)
        UNION ALL
        SELECT 'dispute ' || id || ' (' || status || '): cancelled ' || cancelled
               || ' of the ' || owed || ' it left owed'
        FROM parts WHERE cancelled > owed OR (cancelled > 0 AND status <> 'won')""",
}
