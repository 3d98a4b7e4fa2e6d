"""Russian details of subscription's error codes (Russian is the API's default language).

The kit answers ``detail`` from here when a client does not prefer English and the raise site
gave no ``detail_ru`` of its own. Every code raised in this service has a text here; a unit test
keeps it so. One block per context: add your codes inside your context's block.
"""

from __future__ import annotations

RUSSIAN: dict[str, str] = {
    # --- generic ------------------------------------------------------------------------------
    "RESOURCE_NOT_FOUND": "Ресурс не найден.",
    # --- plans --------------------------------------------------------------------------------
    "PLAN_NOT_FOUND": "Тарифный план не найден.",
    "PLAN_NOT_AVAILABLE": "Тарифный план больше не продаётся.",
    "PLAN_REGION_RESTRICTED": "Тарифный план не продаётся в этом регионе или с этим периодом "
    "оплаты.",
    "PLAN_ALREADY_RETIRED": "Тарифный план уже снят с продажи.",
    "PLAN_CURRENCY_MISMATCH": "Цены плана в регионе указаны в другой валюте; валюту региона "
    "сменить нельзя.",
    "CATALOG_NOTICE_TOO_SHORT": "Игру можно убрать из каталога не раньше чем через 14 дней "
    "после объявления.",
    "CATALOG_REMOVAL_REQUIRED": "Игра входит в каталог плана: объявите её удаление, чтобы "
    "подписчики получили предупреждение.",
    "GAME_NOT_IN_PLAN_CATALOG": "Игры нет в каталоге тарифного плана.",
    # --- subscriptions ------------------------------------------------------------------------
    "SUBSCRIPTION_STATUS_CONFLICT": "Подписка в текущем статусе не допускает это действие.",
    "SUBSCRIPTION_NOT_FOUND": "Подписка не найдена.",
    "SUBSCRIPTION_ALREADY_EXISTS": "У вас уже есть действующая подписка этого типа.",
    "SUBSCRIPTION_CHANGED_CONCURRENTLY": "Подписку одновременно изменил кто-то другой; "
    "прочитайте её заново.",
    "SUBSCRIPTION_NOT_RESUMABLE": "Возобновить можно только отменённую подписку до конца "
    "оплаченного периода.",
    "INVALID_TIME_ZONE": "Часовой пояс должен быть именем IANA (например, Europe/Moscow).",
    "INVALID_PAGE_CURSOR": "Курсор страницы не из этого списка: начните с первой страницы.",
    "INVALID_FILTER": "Недопустимое значение фильтра.",
    # --- billing ------------------------------------------------------------------------------
    # billing: payments, card binding, refunds (C1)
    "PAYMENT_UNAVAILABLE": "Платёжный сервис сейчас недоступен: повторите попытку чуть позже.",
    "REFUND_WINDOW_CLOSED": "Срок возврата первой оплаты подписки истёк.",
    "REFUND_EXCEEDS_PAID": "Сумма возврата больше, чем осталось вернуть по этому платежу.",
    "NOTHING_TO_REFUND": "По этой подписке нечего возвращать.",
    "CHARGE_NOT_FOUND": "Платёж подписки не найден.",
    "CHARGE_ALREADY_EXISTS": "Эта попытка списания уже существует.",
    "PERIOD_ALREADY_PAID": "Этот период подписки уже оплачен.",
    "REFUND_OPTIONS_ADMIN_ONLY": (
        "Сумму, платёж и завершение подписки при возврате задаёт только администратор."
    ),
    # billing: renewals and plan changes (C2)
    "PLAN_CHANGE_NOTHING_TO_CHANGE": "У подписки уже этот план и этот период оплаты.",
    "PAYMENT_METHOD_REQUIRED": "Для смены плана нужна сохранённая карта: сначала привяжите её.",
    "PAYMENT_DECLINED": "Платёж отклонён; план не изменён.",
    "PAYMENT_PENDING": "Платёж ещё не подтверждён; план не изменён. Повторите позже.",
    # --- trials -------------------------------------------------------------------------------
    "TRIAL_ALREADY_TAKEN": "Пробный период этого типа подписки уже был использован.",
    # --- access -------------------------------------------------------------------------------
    "GAME_NOT_FOUND": "Игра не найдена.",
    "DEVICE_NOT_FOUND": "У вас нет такого зарегистрированного устройства.",
    # --- read models (access) -----------------------------------------------------------------
    "USER_SERVICE_UNAVAILABLE": (
        "Сервис пользователей недоступен, а данных о пользователе ещё нет: повторите позже."
    ),
    "DEVELOPER_PORTAL_UNAVAILABLE": (
        "Сервис разработчиков недоступен, а данных об игре ещё нет: повторите позже."
    ),
    # --- licenses -----------------------------------------------------------------------------
    # The access reasons an offline license is refused with (422; CheckAccess answers them as
    # a reason, POST /offline-licenses as the error's code).
    "GAME_NOT_AVAILABLE": "Игра недоступна: она не опубликована или снята с публикации.",
    "GAME_REGION_RESTRICTED": "Игра недоступна в вашем регионе.",
    "AGE_RESTRICTION_VIOLATION": "Возрастной рейтинг игры выше допустимого для вашего возраста.",
    "SUBSCRIPTION_SUSPENDED": "Подписка приостановлена: продление не оплачено.",
    "SUBSCRIPTION_EXPIRED": "Подписка закончилась.",
    "NO_ACTIVE_SUBSCRIPTION": "У вас нет действующей подписки.",
    "GAME_NOT_IN_SUBSCRIPTION": "Игры нет в каталоге вашей подписки.",
    "DEVICE_LIMIT_EXCEEDED": "Достигнут предел устройств: удалите одно из зарегистрированных.",
}
