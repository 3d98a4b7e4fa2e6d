"""A plan's catalog: games included one by one (a removal announced with its notice, access
kept until it takes effect) or excluded, plus new releases when the plan has them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from parovoz_kit.errors import BusinessRuleViolation, NotFound

from parovoz_subscription.plans.domain.plans import Plan
from parovoz_subscription.plans.rules import PlanRules


class CatalogMode(StrEnum):
    INCLUDED = "included"
    EXCLUDED = "excluded"


@dataclass(frozen=True)
class CatalogEntry:
    """A game named in a plan's catalog: included (perhaps with an announced removal) or
    excluded (never in the plan, even as a new release)."""

    plan_id: uuid.UUID
    game_id: uuid.UUID
    mode: CatalogMode
    updated_at: datetime
    removal_announced_at: datetime | None = None
    removal_effective_at: datetime | None = None

    def removed_by(self, now: datetime) -> bool:
        return self.removal_effective_at is not None and now >= self.removal_effective_at


@dataclass(frozen=True)
class CatalogAnswer:
    """Whether a plan has a game now; ``until``: when that access ends if it is known to end
    (an announced removal, or the end of a new release's window)."""

    included: bool
    until: datetime | None = None
    new_release: bool = field(default=False)


def game_not_in_catalog(game_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Game {game_id} is not in the plan's catalog.",
        code="GAME_NOT_IN_PLAN_CATALOG",
        detail_ru=f"Игры {game_id} нет в каталоге тарифного плана.",
    )


# --- catalog ------------------------------------------------------------------------------------
def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def catalog_answer_of(
    plan: Plan,
    entry: CatalogEntry | None,
    release_date: date | None,
    now: datetime,
) -> CatalogAnswer:
    """Included explicitly (and not removed by ``now``: until the removal, if announced), or a
    new release (released within the window, the plan has new releases on, not excluded and not
    removed: until the window ends)."""
    if entry is not None:
        if entry.mode is CatalogMode.EXCLUDED or entry.removed_by(now):
            return CatalogAnswer(included=False)
        return CatalogAnswer(included=True, until=entry.removal_effective_at)
    if plan.new_releases and release_date is not None:
        released = _start_of(release_date)
        window_end = released + timedelta(days=plan.new_release_days)
        if released <= now < window_end:
            return CatalogAnswer(included=True, until=window_end, new_release=True)
    return CatalogAnswer(included=False)


def include_game(plan_id: uuid.UUID, game_id: uuid.UUID, now: datetime) -> CatalogEntry:
    """Included from now on; an announced removal is cancelled."""
    return CatalogEntry(plan_id=plan_id, game_id=game_id, mode=CatalogMode.INCLUDED, updated_at=now)


def exclude_game(
    entry: CatalogEntry | None, plan_id: uuid.UUID, game_id: uuid.UUID, now: datetime
) -> CatalogEntry:
    """Excluded: never in the plan, not even as a new release. A game the plan includes leaves
    only through an announced removal (its notice), never by an exclusion."""
    if entry is not None and entry.mode is CatalogMode.INCLUDED and not entry.removed_by(now):
        raise BusinessRuleViolation(
            f"Game {game_id} is in the plan's catalog: announce its removal instead.",
            code="CATALOG_REMOVAL_REQUIRED",
            detail_ru=(
                f"Игра {game_id} входит в каталог плана: объявите её удаление "
                "(DELETE), чтобы подписчики получили предупреждение."
            ),
        )
    return CatalogEntry(plan_id=plan_id, game_id=game_id, mode=CatalogMode.EXCLUDED, updated_at=now)


def announce_removal(
    entry: CatalogEntry | None,
    plan_id: uuid.UUID,
    game_id: uuid.UUID,
    effective_at: datetime | None,
    rules: PlanRules,
    now: datetime,
) -> CatalogEntry:
    """The included game leaves the catalog at ``effective_at`` (default: the notice from now;
    never earlier). Announcing again moves the time (still no earlier than the notice)."""
    if entry is None or entry.mode is not CatalogMode.INCLUDED or entry.removed_by(now):
        raise game_not_in_catalog(game_id)
    earliest = now + rules.catalog_removal_notice
    when = earliest if effective_at is None else effective_at
    if when < earliest:
        days = rules.catalog_removal_notice.days
        raise BusinessRuleViolation(
            f"A game leaves a plan's catalog no earlier than {days} days after the announcement "
            f"(from {earliest.isoformat()}).",
            code="CATALOG_NOTICE_TOO_SHORT",
            detail_ru=(
                f"Игру можно убрать из каталога не раньше чем через {days} дней после "
                f"объявления (не раньше {earliest.isoformat()})."
            ),
            parameter="effective_at",
        )
    return replace(entry, updated_at=now, removal_announced_at=now, removal_effective_at=when)
