"""Plans' configurable numbers (PRODUCT.md "Subscription"), built by ``settings.plan_rules()``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class PlanRules:
    #: A price change reaches existing subscribers from their first period starting at least
    #: this long after the change (new subscribers pay the new price at once).
    price_change_notice: timedelta
    #: A game leaves a plan's catalog no earlier than this long after the removal is announced.
    catalog_removal_notice: timedelta
    #: A game released this recently is a "new release" (in plans with new releases on).
    new_release_window: timedelta
    #: Trial length and device limit of a plan created without them.
    default_trial_days: int
    default_max_devices: int
