"""Russian details of greenlight's error codes (Russian is the API's default language).

The kit answers ``detail`` from here when a client does not prefer English and the raise site
gave no ``detail_ru`` of its own. Every code raised in this service has a text here; a unit test
keeps it so. One block per context: add your codes inside your context's block.
"""

from __future__ import annotations

RUSSIAN: dict[str, str] = {
    # --- generic ------------------------------------------------------------------------------
    "RESOURCE_NOT_FOUND": "Ресурс не найден.",
    # --- submissions --------------------------------------------------------------------------
    "SUBMISSION_NOT_FOUND": "Заявка не найдена.",
    "SUBMISSION_STATUS_CONFLICT": "Заявка в текущем статусе не допускает это действие.",
    "SUBMISSION_FEE_NOT_PAID": "Взнос за заявку не оплачен: отправьте заявку и оплатите взнос.",
    "SUBMISSION_ALREADY_EXISTS": "У игры уже есть незавершённая заявка.",
    "SUBMISSION_CHANGED_CONCURRENTLY": "Заявку одновременно изменил кто-то другой; "
    "прочитайте её заново.",
    "INVALID_PAGE_CURSOR": "Курсор не относится к этому списку: начните с первой страницы.",
    "INVALID_FILTER": "Недопустимое значение фильтра.",
    "DEVELOPER_MEMBERSHIP_REQUIRED": "Это может только владелец, администратор или редактор "
    "аккаунта разработчика, которому принадлежит игра.",
    "DEVELOPER_ACCOUNT_NOT_ACTIVE": "Аккаунт разработчика не активен: отправлять заявки может "
    "только активный аккаунт.",
    "GAME_NOT_FOUND": "Игры нет в кабинете разработчика.",
    "GAME_NOT_OWNED": "Игра не принадлежит аккаунту разработчика, отправляющему заявку.",
    "DEVELOPER_PORTAL_UNAVAILABLE": "Кабинет разработчика не отвечает; повторите попытку чуть "
    "позже.",
    # --- fees ---------------------------------------------------------------------------------
    "FEE_NOT_FOUND": "По заявке ещё нет взноса: сначала отправьте её.",
    "FEE_STATUS_CONFLICT": "Взнос в текущем статусе не допускает это действие.",
    "PAYMENT_UNAVAILABLE": "Платёжный сервис недоступен; повторите попытку чуть позже.",
    # --- moderation ---------------------------------------------------------------------------
    "MODERATOR_NOT_AUTHORIZED": "Это может сделать только модератор или действующий куратор.",
    "MODERATION_CONFLICT": "Модерировать можно только заявку в статусе модерации.",
    "EXPERT_REVIEW_REQUIRED": "Заявка отмечена или передана экспертам: перед одобрением нужна "
    "экспертная рецензия.",
    "EXPERT_REVIEW_EXISTS": "Вы уже написали рецензию на эту заявку.",
    "EXPERT_REVIEW_NOT_ALLOWED": "Заявку в текущем статусе нельзя рецензировать.",
    "CURATOR_NOT_FOUND": "Куратор с таким идентификатором пользователя не найден.",
    "CURATOR_ALREADY_REGISTERED": "Этот пользователь уже зарегистрирован как куратор.",
    # --- voting -------------------------------------------------------------------------------
    "VOTING_NOT_ELIGIBLE": "Вы пока не можете голосовать: проверьте условия в GET /eligibility.",
    "VOTING_PERIOD_ENDED": "Голосование по заявке сейчас не идёт: окно голосования закрыто.",
    "DUPLICATE_VOTE": "Вы уже проголосовали за эту заявку; изменить голос можно через PUT.",
    "VOTE_NOT_FOUND": "Вы не голосовали за эту заявку.",
    "USER_SERVICE_UNAVAILABLE": "Сервис пользователей недоступен, повторите попытку позже.",
    # --- results ------------------------------------------------------------------------------
    "RESULTS_NOT_AVAILABLE": "Голосование по заявке ещё не начиналось: результатов пока нет.",
    "VOTING_WINDOW_STATUS_CONFLICT": "Окно голосования в этом статусе не допускает такой переход.",
}
