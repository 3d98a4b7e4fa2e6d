"""Results: voting windows closed by a leased job, the 24-hour audit, the final weighted result
and its announcement, the Wilson interval and what a submission still needs."""
