"""Prices of games and DLC."""
