"""The ledger check's revenue-share part (``jobs/ledger_check.py`` runs these with the rest).

Each check proves the sale tables and the ledger tell the same story:

- every sale's split adds up (developer + platform = gross) and its reversals, summed, never
  exceed either share and equal the sale's running totals;
- every sale's settlement credited exactly the developer's share to their pending payable and
  the platform's to platform revenue;
- every reversal debited exactly its parts (pending / available / receivable, platform
  revenue);
- every release moved the share less what reversals took from pending during the hold.
"""

from __future__ import annotations

#: check name -> what it proves (printed by ``make ledger-check``).
REVENUE_CHECKS = {
    "sale_splits": "every sale's shares add up; its reversals never exceed them",
    "sale_postings": "every sale credited its developer's and the platform's share exactly",
    "sale_reversal_postings": "every sale reversal debited its parts exactly",
    "sale_releases": "every released sale moved its share less reversals taken in the hold",
}

# One query per check, plain constants (no input reaches them); each selects a description
# of every offender. `moved` sums a transaction's entries by the account's purpose, counting
# only the sale's developer's accounts and platform revenue.
REVENUE_OFFENDERS = {
    "sale_splits": """
        SELECT s.payment_id || ': gross ' || s.gross_minor || ' = developer '
               || s.developer_minor || ' + platform ' || s.platform_minor || '; reversed '
               || s.reversed_developer_minor || ' + ' || s.reversed_platform_minor
               || ', reversal rows ' || coalesce(r.d, 0) || ' + ' || coalesce(r.p, 0)
        FROM game_sales s
        LEFT JOIN (SELECT payment_id, sum(developer_minor) d, sum(platform_minor) p
                   FROM game_sale_reversals GROUP BY payment_id) r
               ON r.payment_id = s.payment_id
        WHERE s.developer_minor + s.platform_minor <> s.gross_minor
           OR s.developer_minor < 0 OR s.platform_minor < 0
           OR s.reversed_developer_minor > s.developer_minor
           OR s.reversed_platform_minor > s.platform_minor
           OR coalesce(r.d, 0) <> s.reversed_developer_minor
           OR coalesce(r.p, 0) <> s.reversed_platform_minor""",
    "sale_postings": """
        SELECT s.payment_id || ': developer ' || s.developer_minor || ' credited '
               || coalesce(m.pending, 0) || ', platform ' || s.platform_minor
               || ' credited ' || coalesce(m.platform, 0)
        FROM game_sales s
        LEFT JOIN LATERAL (
            SELECT sum(e.amount) FILTER (WHERE a.purpose = 'developer_payable_pending')
                       AS pending,
                   sum(e.amount) FILTER (WHERE a.purpose = 'platform_revenue') AS platform
            FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
            WHERE e.transaction_id = s.ledger_transaction_id AND e.direction = 'credit'
              AND (a.owner_id = s.developer_id::text OR a.owner_type = 'platform')) m ON true
        WHERE coalesce(m.pending, 0) <> s.developer_minor
           OR coalesce(m.platform, 0) <> s.platform_minor""",
    "sale_reversal_postings": """
        SELECT r.id || ' of ' || r.payment_id || ': pending ' || r.from_pending_minor || '/'
               || coalesce(m.pending, 0) || ', available ' || r.from_available_minor || '/'
               || coalesce(m.available, 0) || ', owed ' || r.owed_minor || '/'
               || coalesce(m.owed, 0) || ', platform ' || r.platform_minor || '/'
               || coalesce(m.platform, 0)
        FROM game_sale_reversals r
        JOIN game_sales s ON s.payment_id = r.payment_id
        LEFT JOIN LATERAL (
            SELECT sum(e.amount) FILTER (WHERE a.purpose = 'developer_payable_pending')
                       AS pending,
                   sum(e.amount) FILTER (WHERE a.purpose = 'developer_payable_available')
                       AS available,
                   sum(e.amount) FILTER (WHERE a.purpose = 'developer_receivable') AS owed,
                   sum(e.amount) FILTER (WHERE a.purpose = 'platform_revenue') AS platform
            FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
            WHERE e.transaction_id = r.id AND e.direction = 'debit'
              AND (a.owner_id = s.developer_id::text OR a.owner_type = 'platform')) m ON true
        WHERE coalesce(m.pending, 0) <> r.from_pending_minor
           OR coalesce(m.available, 0) <> r.from_available_minor
           OR coalesce(m.owed, 0) <> r.owed_minor
           OR coalesce(m.platform, 0) <> r.platform_minor""",
    "sale_releases": """
        SELECT s.payment_id || ': released ' || s.released_minor || ', share '
               || s.developer_minor || ' less ' || coalesce(r.pending, 0)
               || ', moved from pending ' || coalesce(m.moved, 0)
        FROM game_sales s
        LEFT JOIN (SELECT payment_id, sum(from_pending_minor) AS pending
                   FROM game_sale_reversals GROUP BY payment_id) r
               ON r.payment_id = s.payment_id
        LEFT JOIN LATERAL (
            SELECT sum(e.amount) AS moved
            FROM ledger_transactions t
            JOIN ledger_entries e ON e.transaction_id = t.id
            JOIN ledger_accounts a ON a.id = e.account_id
            WHERE t.reference = s.payment_id::text AND t.kind = 'developer_funds_release'
              AND e.direction = 'debit' AND a.purpose = 'developer_payable_pending'
              AND a.owner_id = s.developer_id::text) m ON true
        WHERE s.released_at IS NOT NULL
          AND (s.released_minor <> s.developer_minor - coalesce(r.pending, 0)
               OR coalesce(m.moved, 0) <> s.released_minor)""",
}
