"""Games and DLC."""
