"""Statistics: system metrics over a period and per-submission analytics (seed 002 "Analytics
Engine"), read from the other contexts' tables; this context owns no rule of theirs."""
