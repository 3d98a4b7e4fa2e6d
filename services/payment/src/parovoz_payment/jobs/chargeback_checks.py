"""The ledger check's chargeback part (``jobs/ledger_check.py`` runs these with the rest).

- every dispute's opening postings (kind ``chargeback``) took exactly its amount out of
  provider clearing, a won one's posting (``chargeback_won``) put exactly it back, and no
  other dispute has one;
- per currency, what users owe (``user_receivable``) equals the disputed top-ups' unpaid
  parts of the disputes not won.
"""

from __future__ import annotations

#: check name -> what it proves (printed by ``make ledger-check``).
CHARGEBACK_CHECKS = {
    "chargeback_postings": "every dispute took its amount from clearing; a won one put it back",
    "user_receivables": "users' receivables equal their disputed top-ups' unpaid parts",
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
    "user_receivables": """
        SELECT coalesce(l.currency, c.currency) || ': ledger ' || coalesce(l.owed, 0)
               || ', disputes ' || coalesce(c.owed, 0)
        FROM (SELECT currency, sum(debits_posted - credits_posted) AS owed
              FROM ledger_accounts WHERE purpose = 'user_receivable' GROUP BY currency) l
        FULL JOIN (SELECT currency, sum(user_owed_minor) AS owed FROM chargebacks
                   WHERE status <> 'won' AND user_owed_minor > 0 GROUP BY currency) c
               ON c.currency = l.currency
        WHERE coalesce(l.owed, 0) <> coalesce(c.owed, 0)""",
}
