"""Russian details of developer-portal's error codes (Russian is the API's default language).

The kit answers ``detail`` from here when a client does not prefer English and the raise site
gave no ``detail_ru`` of its own (those carry specific numbers or names). Every code raised in
this service has a text here; a unit test keeps it so.
"""

from __future__ import annotations

RUSSIAN: dict[str, str] = {
    # --- generic codes raised with this service's own meaning -----------------------------
    "RESOURCE_NOT_FOUND": "Ресурс не найден.",
    "RESOURCE_ALREADY_EXISTS": "Такой ресурс уже существует.",
    # --- accounts and team ------------------------------------------------------------------
    "INVALID_TAX_ID": (
        "tax_id — не действительный ИНН для этой правовой формы: 10 цифр у организации, "
        "12 у физического лица, с верными контрольными цифрами."
    ),
    "COUNTRY_MISMATCH": (
        "Российское юридическое лицо регистрируется в RU, иностранная компания — вне RU."
    ),
    "ACCOUNT_SUSPENDED": "Аккаунт разработчика заблокирован: это действие недоступно.",
    "TEAM_ROLE_FORBIDS": "Ваша роль в команде разработчика не позволяет это действие.",
    # --- games --------------------------------------------------------------------------------
    "DLC_PARENT_REQUIRED": "parent_game_id указывается для DLC, и только для DLC.",
    "INVALID_PARENT_GAME": "DLC дополняет одну из игр этого же разработчика.",
    "GAME_NOT_FOUND": "Игра не найдена.",
    "DEVELOPER_NOT_FOUND": "Разработчик не найден.",
    # --- prices -------------------------------------------------------------------------------
    "INVALID_PRICE_AMOUNT": (
        "Цена — целое положительное число минимальных единиц (копеек); бесплатная игра "
        "указывает is_free."
    ),
    "PRICE_TOO_HIGH": "Цена больше допустимой (1 000 000,00).",
    "UNSUPPORTED_CURRENCY": "Магазин не продаёт в этой валюте.",
    "TOO_MANY_REGIONAL_PRICES": "Слишком много региональных цен.",
    "INVALID_REGION": "Регион — код страны ISO 3166-1 alpha-2 (например, KZ).",
    "DUPLICATE_REGION": "Для одного региона указано несколько цен: нужна одна.",
    "FREE_GAME_HAS_PRICES": "У бесплатной игры нет ни базовой, ни региональных цен.",
    "BASE_PRICE_REQUIRED": "Платной игре нужна базовая цена в рублях (или укажите is_free).",
    "BASE_PRICE_NOT_RUB": (
        "Базовая цена указывается в рублях; цены в других валютах — региональные."
    ),
    # --- payout methods (bank details) --------------------------------------------------------
    "RECIPIENT_NAME_REQUIRED": "Укажите имя или наименование получателя.",
    "INVALID_INN": (
        "inn — не действительный ИНН: 10 цифр у организации, 12 у физического лица, "
        "с верными контрольными цифрами."
    ),
    "KPP_REQUIRED": "В реквизитах организации нужен КПП.",
    "INVALID_KPP": "kpp — не действительный КПП (9 символов).",
    "KPP_NOT_ALLOWED": "У физического лица (ИП, самозанятый) нет КПП: не указывайте его.",
    "INVALID_BIK": "bik — не российский БИК (9 цифр, начинается с 04).",
    "INVALID_ACCOUNT_NUMBER": (
        "account_number — не расчётный счёт в этом банке (20 цифр, контрольный ключ должен "
        "сходиться с БИК)."
    ),
    "INVALID_CORRESPONDENT_ACCOUNT": (
        "correspondent_account — не корреспондентский счёт этого банка (20 цифр, начинается "
        "с 301, контрольный ключ должен сходиться с БИК)."
    ),
    "BANK_NAME_REQUIRED": "Укажите название банка.",
    "UNSUPPORTED_PAYOUT_CURRENCY": "Выплаты производятся в рублях на счёт в российском банке.",
    "PAYOUT_METHOD_NOT_FOUND": "Способ выплаты не найден.",
    "PAYOUT_METHOD_IN_USE": (
        "На этот способ выплаты идёт выплата: удалить его можно после её завершения."
    ),
    "PAYOUT_METHOD_REQUIRED": "Сначала добавьте способ выплаты.",
    # --- payouts ------------------------------------------------------------------------------
    "INVALID_PAYOUT_AMOUNT": "amount_minor — целое положительное число копеек.",
    "PAYOUT_CURRENCY_MISMATCH": "Способ выплаты принимает другую валюту: укажите сумму в ней.",
    "PAYOUT_BELOW_MINIMUM": "Сумма меньше минимальной суммы выплаты.",
    "PAYOUT_EXCEEDS_AVAILABLE_BALANCE": "Сумма больше баланса, доступного для выплаты.",
    "PAYOUT_ALREADY_IN_PROGRESS": (
        "У аккаунта уже есть выплата в работе: новую можно запросить после её завершения."
    ),
    "PAYOUT_REQUEST_NOT_FOUND": "Запрос на выплату не найден.",
    # --- finance reports ----------------------------------------------------------------------
    "INVALID_REPORT_PERIOD": "filter[from] позже, чем filter[to].",
    "REPORT_PERIOD_TOO_LONG": "Период отчёта слишком длинный.",
    "INVALID_PAGE_CURSOR": ("page[cursor] — не курсор этой выписки: начните с первой страницы."),
    "PAYMENT_UNAVAILABLE": (
        "Балансы ведёт сервис платежей, который сейчас недоступен: повторите чуть позже."
    ),
    # --- gRPC ---------------------------------------------------------------------------------
    "INVALID_ID": "Идентификатор должен быть UUID.",
    "LOOKUP_REQUIRED": "Укажите, какого разработчика найти.",
    # --- game and version state machines (games/domain.py, builds/domain.py) -----------------
    "GAME_STATE_CONFLICT": "Игра в этом статусе не может перейти в запрошенный.",
    "VERSION_STATE_CONFLICT": "Версия в этом статусе не может перейти в запрошенный.",
    # --- games: metadata, list (issue #13) ----------------------------------------------------
    "GAME_ARCHIVED": "Игра в архиве: изменить её больше нельзя.",
    "INVALID_LANGUAGE_CODE": "Код языка — тег BCP 47, например ru-RU или en-US.",
    "REQUIRED_LOCALE_IN_USE": (
        "У опубликованной игры должны остаться метаданные ru-RU: сначала снимите её с публикации."
    ),
    "INVALID_FILTER": "Неизвестное значение фильтра.",
    # --- media (issue #13) ----------------------------------------------------------------------
    "MEDIA_NOT_FOUND": "Медиафайл не найден.",
    "MEDIA_GAME_ARCHIVED": "Игра в архиве: новые медиафайлы к ней не загружаются.",
    "UNSUPPORTED_MEDIA_CONTENT_TYPE": (
        "Скриншоты и обложки — image/jpeg или image/png, трейлеры — video/mp4."
    ),
    "MEDIA_NOT_UPLOADED": (
        "Файл ещё не загружен: загрузите его по выданной ссылке и повторите завершение."
    ),
    "MEDIA_SIZE_MISMATCH": "Размер загруженного файла не совпадает с заявленным.",
    "STORED_FILE_TOO_LARGE": "Загруженный файл больше допустимого размера медиафайла.",
    "MEDIA_CONTENT_UNRECOGNIZED": "Загруженный файл — не JPEG, не PNG и не MP4.",
    "MEDIA_CONTENT_TYPE_MISMATCH": "Содержимое загруженного файла не того типа, что заявлен.",
    "MEDIA_ALREADY_REJECTED": "Медиафайл отклонён: запросите новую загрузку.",
    "MEDIA_ORDER_MISMATCH": (
        "media_ids должен назвать каждый готовый медиафайл списка ровно один раз."
    ),
    # --- builds and versions (issue #13) ------------------------------------------------------
    "INVALID_LOCALE": "Код языка — вида ru-RU или en-US.",
    "TOO_MANY_LOCALES": "Слишком много языков в списке изменений.",
    "DUPLICATE_PLATFORM": "Платформа указана дважды.",
    "VERSION_BUILDS_CLOSED": "Билды этой версии больше не меняются.",
    "INVALID_FILE_NAME": (
        "file_name — просто имя файла: без «/», «\\», управляющих символов, «.» и «..»."
    ),
    "UNSUPPORTED_BUILD_TYPE": (
        "Билд загружается как application/zip или application/octet-stream."
    ),
    "BUILD_PROCESSING": "Билд сейчас проверяется: изменить его можно после проверки.",
    "BUILD_NOT_MULTIPART_UPLOADING": "Части есть только у составной загрузки, пока она идёт.",
    "INVALID_PART_NUMBER": "Номер части — от 1 до числа частей загрузки.",
    "BUILD_PARTS_MISSING": "Загружены не все части файла: загрузите недостающие.",
    "BUILD_PATH_MISMATCH": "s3_path не совпадает с путём этого билда.",
    "BUILD_ALREADY_COMPLETED": "Загрузка этого билда уже завершена с другим SHA-256.",
    "BUILD_NOT_UPLOADING": "Этот билд нельзя завершить: запросите новую ссылку для загрузки.",
    "BUILDS_INCOMPLETE": "Не для всех целевых платформ есть проверенный билд.",
    "SINGLE_PUT_TOO_LARGE": "Файл больше 5 ГиБ загружается по частям (upload_type multipart).",
    "PLATFORM_NOT_TARGETED": "Эта версия выпускается не для этой платформы.",
    # --- review (issue #13) ---------------------------------------------------------------------
    "GREENLIGHT_APPROVAL_REQUIRED": (
        "Аккаунт на треке Greenlight: игру можно отправить на модерацию только после одобрения "
        "связанной с ней заявки Greenlight."
    ),
    # --- releases and publication (issue #13) -------------------------------------------------
    "NO_APPROVED_VERSION": "У игры нет версии, одобренной модерацией.",
    "NO_VERIFIED_BUILD": "У версии нет проверенного билда.",
    "METADATA_LOCALE_MISSING": "У игры нет описания на обязательном языке.",
    "NOT_ENOUGH_SCREENSHOTS": "Для публикации у игры недостаточно скриншотов.",
    "PRICE_MISSING": "У игры нет цены: задайте её или отметьте игру бесплатной.",
    "ROLLBACK_TARGET_INVALID": "Откатить можно только на прежнюю активную версию игры.",
    "GAME_NOT_PUBLISHED": "Откатить можно только опубликованную игру с активной версией.",
    # --- API keys (issue #13) -------------------------------------------------------------------
    "API_KEY_LIMIT_REACHED": "У аккаунта уже предельное число действующих API-ключей.",
    "API_KEY_EXPIRY_IN_PAST": "expires_at — момент в будущем.",
    "API_KEY_INVALID": "API-ключ недействителен.",
    "API_KEY_RATE_LIMITED": "Слишком много запросов с этим API-ключом: повторите позже.",
    # --- discounts (issue #13) ------------------------------------------------------------------
    "DISCOUNT_PERCENT_OUT_OF_RANGE": "Скидка — целое число процентов в допустимых пределах.",
    "INVALID_DISCOUNT_PERIOD": "ends_at должен быть позже starts_at.",
    "DISCOUNT_ENDS_IN_PAST": "Скидка закончилась бы в прошлом: ends_at должен быть в будущем.",
    "DISCOUNT_TOO_LONG": "Скидка действует слишком долго.",
    "DISCOUNT_STARTS_TOO_LATE": "Скидку нельзя запланировать так далеко вперёд.",
    "DISCOUNT_OVERLAPS": (
        "Период пересекается с другой скидкой этой игры: одновременно действует только одна."
    ),
    "TOO_MANY_DISCOUNTS": "У игры слишком много действующих и запланированных скидок.",
    "DISCOUNT_NEEDS_PRICE": ("Скидка бывает только у платной игры с ценой: сначала задайте цены."),
    "DISCOUNT_ENDED": "Скидка уже закончилась: прошедшие скидки не меняются.",
}
