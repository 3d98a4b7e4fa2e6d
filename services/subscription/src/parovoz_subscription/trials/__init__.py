"""Trials: once per user per plan type; conversion or expiry at the trial's end."""
