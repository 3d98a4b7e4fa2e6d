"""Submissions: a developer's game put forward for the community's vote, its status machine
(seed 002), the public list and the developer's own."""
