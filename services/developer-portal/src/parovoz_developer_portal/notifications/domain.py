"""notifications: what a developer account is told, rendered in Russian from an event's facts.

A notification belongs to one account's inbox (``developer_id``), says what happened in a title
and a body, links to its resource (a path under the API prefix and the resource's type and id),
and remembers the event it came from: one event makes at most one notification in an account
(``source_event_id``), however often it is delivered. Each account numbers its notifications
with an increasing ``sequence``; the stream resumes after the last one a client saw.

The renderers below (one per kind) are plain functions of the facts; they never look anything
up. Amounts are integer minor units and an ISO 4217 code.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from parovoz_kit.errors import NotFound

#: The namespace of the source ids of notifications that happen once per resource, whatever
#: events tell of them (a build's verdict, a version's moderation decision):
#: ``uuid5(namespace, "<what>:<id>:<outcome>")``, the same on every run.
LOCAL_SOURCE_NAMESPACE = uuid.UUID("6f1f0d4e-5a58-4d8e-9d37-4f0c3e2a9b11")

TITLE_MAX = 300
BODY_MAX = 4000


class NotificationKind(StrEnum):
    MODERATION_APPROVED = "moderation_approved"
    MODERATION_REJECTED = "moderation_rejected"
    BUILD_VERIFIED = "build_verified"
    BUILD_FAILED = "build_failed"
    GAME_PUBLISHED = "game_published"
    GAME_ROLLED_BACK = "game_rolled_back"
    GAME_UNPUBLISHED = "game_unpublished"
    PAYOUT_STATUS_CHANGED = "payout_status_changed"
    GREENLIGHT_APPROVED = "greenlight_approved"
    GREENLIGHT_REJECTED = "greenlight_rejected"
    TEAM_INVITATION = "team_invitation"
    TEAM_MEMBER_CHANGED = "team_member_changed"
    TEAM_OWNERSHIP_TRANSFERRED = "team_ownership_transferred"


@dataclass(frozen=True)
class Link:
    """The resource a notification is about: its JSON:API type and id, and its path under the
    API prefix (``/games/{id}``...)."""

    resource_type: str
    resource_id: uuid.UUID
    path: str


@dataclass(frozen=True)
class NotificationDraft:
    """A notification before it has its place in the inbox (id, sequence, time)."""

    developer_id: uuid.UUID
    kind: NotificationKind
    title: str
    body: str
    link: Link
    source_event_id: uuid.UUID


@dataclass(frozen=True)
class Notification:
    id: uuid.UUID
    developer_id: uuid.UUID
    sequence: int
    kind: NotificationKind
    title: str
    body: str
    link: Link
    source_event_id: uuid.UUID
    created_at: datetime
    read_at: datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def read(self, now: datetime) -> Notification:
        """Read at ``now``; one already read keeps its first reading time."""
        return self if self.read_at is not None else replace(self, read_at=now)


def place(
    draft: NotificationDraft, notification_id: uuid.UUID, sequence: int, now: datetime
) -> Notification:
    return Notification(
        id=notification_id,
        developer_id=draft.developer_id,
        sequence=sequence,
        kind=draft.kind,
        title=_clip(draft.title, TITLE_MAX),
        body=_clip(draft.body, BODY_MAX),
        link=draft.link,
        source_event_id=draft.source_event_id,
        created_at=now,
    )


def notification_not_found(notification_id: uuid.UUID) -> NotFound:
    return NotFound(
        f"Notification {notification_id} not found.",
        code="NOTIFICATION_NOT_FOUND",
        detail_ru=f"Уведомление {notification_id} не найдено.",
    )


def local_source_id(what: str, resource_id: uuid.UUID, outcome: str) -> uuid.UUID:
    """The stable source id of a notification no event carries (a build's verdict)."""
    return uuid.uuid5(LOCAL_SOURCE_NAMESPACE, f"{what}:{resource_id}:{outcome}")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def format_money(amount_minor: int, currency: str) -> str:
    """``500000, "RUB"`` -> ``"5 000,00 RUB"`` (Russian grouping, two decimals; no floats)."""
    sign = "-" if amount_minor < 0 else ""
    units, cents = divmod(abs(amount_minor), 100)
    grouped = f"{units:,}".replace(",", "\u00a0")
    return f"{sign}{grouped},{cents:02d} {currency}"


# --- renderers, one per kind -----------------------------------------------------------------
def _game_link(game_id: uuid.UUID) -> Link:
    return Link("game", game_id, f"/games/{game_id}")


def _review_link(game_id: uuid.UUID, version_id: uuid.UUID) -> Link:
    return Link("gameVersion", version_id, f"/games/{game_id}/versions/{version_id}/review")


def moderation_decided(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    game_title: str,
    version_id: uuid.UUID,
    version_name: str,
    approved: bool,
    note: str | None,
) -> NotificationDraft:
    if approved:
        kind = NotificationKind.MODERATION_APPROVED
        title = f"Версия {version_name} игры «{game_title}» одобрена модерацией"
        body = "Версию можно публиковать."
        if note:
            body += f" Комментарий модератора: {note}"
    else:
        kind = NotificationKind.MODERATION_REJECTED
        title = f"Версия {version_name} игры «{game_title}» отклонена модерацией"
        body = f"Причина: {note}" if note else "Причина не указана."
        body += " Исправьте замечания и отправьте новую версию на модерацию."
    # A version is decided once (in_review -> approved or rejected, never back): its decision
    # is told once, whatever other decision events about it arrive later.
    source = local_source_id("moderation", version_id, "decided")
    return NotificationDraft(
        developer_id, kind, title, body, _review_link(game_id, version_id), source
    )


#: Why a build failed (builds' ``FailureReason`` values), for the developer.
_BUILD_FAILURES_RU = {
    "size_mismatch": "Размер загруженного файла не совпал с заявленным.",
    "hash_mismatch": "Контрольная сумма SHA-256 загруженного файла не совпала с заявленной.",
    "object_missing": "Файл не найден в хранилище: загрузка не была завершена.",
}


def build_checked(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    version_id: uuid.UUID,
    build_id: uuid.UUID,
    file_name: str,
    platform: str,
    verified: bool,
    failure: str | None,
) -> NotificationDraft:
    """``failure``: builds' reason code (``size_mismatch``, ``hash_mismatch``,
    ``object_missing``)."""
    outcome = "verified" if verified else "failed"
    link = Link("build", build_id, f"/games/{game_id}/versions/{version_id}/builds/{build_id}")
    if verified:
        kind = NotificationKind.BUILD_VERIFIED
        title = f"Билд {file_name} ({platform}) проверен"
        body = "Размер и контрольная сумма SHA-256 совпали с заявленными: билд готов."
    else:
        kind = NotificationKind.BUILD_FAILED
        title = f"Билд {file_name} ({platform}) не прошёл проверку"
        body = _BUILD_FAILURES_RU.get(failure or "", "Билд не прошёл проверку.")
        body += " Загрузите билд заново."
    return NotificationDraft(
        developer_id, kind, title, body, link, local_source_id("build", build_id, outcome)
    )


def game_published(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    game_title: str,
    republished: bool,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    title = f"Игра «{game_title}» " + ("снова в магазине" if republished else "опубликована")
    body = "Игра доступна покупателям в магазине."
    return NotificationDraft(
        developer_id,
        NotificationKind.GAME_PUBLISHED,
        title,
        body,
        _game_link(game_id),
        source_event_id,
    )


def game_rolled_back(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    game_title: str,
    reason: str | None,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    body = "В магазине снова предыдущая версия."
    if reason:
        body += f" Причина: {reason}"
    return NotificationDraft(
        developer_id,
        NotificationKind.GAME_ROLLED_BACK,
        f"Игра «{game_title}» откачена на предыдущую версию",
        body,
        _game_link(game_id),
        source_event_id,
    )


def game_unpublished(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    game_title: str,
    reason: str | None,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    body = "Игру больше нельзя купить; у покупателей она остаётся."
    if reason:
        body += f" Причина: {reason}"
    return NotificationDraft(
        developer_id,
        NotificationKind.GAME_UNPUBLISHED,
        f"Игра «{game_title}» снята с продажи",
        body,
        _game_link(game_id),
        source_event_id,
    )


_PAYOUT_STATUS_RU = {
    "processing": "в обработке",
    "completed": "выполнена",
    "failed": "не выполнена",
}


def payout_status_changed(
    *,
    developer_id: uuid.UUID,
    payout_request_id: uuid.UUID,
    amount_minor: int,
    currency: str,
    new_status: str,
    failure: str | None,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    amount = format_money(amount_minor, currency)
    title = f"Выплата {amount}: {_PAYOUT_STATUS_RU.get(new_status, new_status)}"
    if new_status == "completed":
        body = "Деньги отправлены на ваш банковский счёт."
    elif new_status == "failed":
        body = f"Причина: {failure or 'не указана'}. Сумма вернулась на баланс."
    else:
        body = "Платёжный сервис принял выплату; сумма зарезервирована."
    return NotificationDraft(
        developer_id,
        NotificationKind.PAYOUT_STATUS_CHANGED,
        title,
        body,
        Link("payoutRequest", payout_request_id, f"/finance/payouts/requests/{payout_request_id}"),
        source_event_id,
    )


def greenlight_decided(
    *,
    developer_id: uuid.UUID,
    game_id: uuid.UUID,
    game_title: str | None,
    approved: bool,
    detail: str | None,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    name = f"«{game_title}»" if game_title else "вашей игры"
    if approved:
        kind = NotificationKind.GREENLIGHT_APPROVED
        title = f"Greenlight одобрил заявку {name}"
        body = "Игру можно отправлять на модерацию."
    else:
        kind = NotificationKind.GREENLIGHT_REJECTED
        title = f"Greenlight отклонил заявку {name}"
        body = detail or "Заявка не набрала нужной доли голосов."
    return NotificationDraft(developer_id, kind, title, body, _game_link(game_id), source_event_id)


_ROLES_RU = {
    "owner": "владелец",
    "admin": "администратор",
    "editor": "редактор",
    "finance": "финансы",
    "viewer": "наблюдатель",
}


def _role(role: str | None) -> str:
    return f"«{_ROLES_RU.get(role or '', role or '—')}»"


def team_invitation(
    *,
    developer_id: uuid.UUID,
    invitation_id: uuid.UUID,
    role: str,
    invitee_user_id: uuid.UUID | None,
    expires_at: datetime,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    """An owner or admin invited someone (by user id, or by an e-mail that never travels)."""
    invitee = f"пользователь {invitee_user_id}" if invitee_user_id else "приглашение по e-mail"
    return NotificationDraft(
        developer_id,
        NotificationKind.TEAM_INVITATION,
        f"Приглашение в команду на роль {_role(role)}",
        f"Кого: {invitee}. Ждёт ответа до {expires_at:%d.%m.%Y %H:%M} UTC.",
        Link("teamInvitation", invitation_id, "/team/invitations"),
        source_event_id,
    )


_MEMBER_CHANGES_RU = {
    "joined": "присоединился к команде",
    "role_changed": "получил другую роль",
    "removed": "удалён из команды",
    "left": "покинул команду",
}


def team_member_changed(
    *,
    developer_id: uuid.UUID,
    user_id: uuid.UUID,
    change: str,
    role: str | None,
    previous_role: str | None,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    title = f"Участник {_MEMBER_CHANGES_RU.get(change, change)}"
    if change == "joined":
        body = f"Пользователь {user_id} — в команде с ролью {_role(role)}."
    elif change == "role_changed":
        body = f"Пользователь {user_id}: роль {_role(previous_role)} → {_role(role)}."
    else:
        body = f"Пользователь {user_id} больше не в команде (была роль {_role(previous_role)})."
    return NotificationDraft(
        developer_id,
        NotificationKind.TEAM_MEMBER_CHANGED,
        title,
        body,
        Link("teamMember", user_id, "/team"),
        source_event_id,
    )


def team_ownership_transferred(
    *,
    developer_id: uuid.UUID,
    previous_owner_user_id: uuid.UUID,
    owner_user_id: uuid.UUID,
    source_event_id: uuid.UUID,
) -> NotificationDraft:
    return NotificationDraft(
        developer_id,
        NotificationKind.TEAM_OWNERSHIP_TRANSFERRED,
        "Владелец аккаунта сменился",
        f"Новый владелец — пользователь {owner_user_id}; прежний владелец "
        f"{previous_owner_user_id} теперь администратор.",
        Link("developerAccount", developer_id, "/team"),
        source_event_id,
    )
