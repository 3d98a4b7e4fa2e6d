"""Russian details of payment's own error codes (seed 001: Russian by default, English when the
client's ``Accept-Language`` prefers it). The kit answers ``RUSSIAN[code]`` when a raise site
gives no ``detail_ru=``; an error whose detail carries specific numbers passes ``detail_ru=``
where it is raised instead. ``tests/test_error_texts.py`` checks that every code raised in
payment's source has a text here."""

from __future__ import annotations

RUSSIAN: dict[str, str] = {
    # -- amounts, currencies, regions ---------------------------------------------------------
    "AMOUNT_MISMATCH": "Сумма не совпадает с ценой: обновите цену и повторите попытку.",
    "AMOUNT_REQUIRED": "Сумма обязательна.",
    "BASE_CURRENCY_RATE": "RUB — базовая валюта: её курс по определению равен 1.",
    "CURRENCY_MISMATCH": "Суммы указаны в разных валютах; нужна валюта платежа.",
    "CURRENCY_NOT_SUPPORTED_BY_PROVIDER": "Платёжный провайдер не принимает платежи в этой валюте.",
    "INVALID_AMOUNT": "Сумма должна быть положительной.",
    "INVALID_CURRENCY": "Валюта должна быть кодом ISO 4217, например RUB.",
    "INVALID_RATE": (
        "Курс — положительное десятичное число в строке, рублей за единицу валюты, "
        'например "92.5123" (не более 10 знаков после запятой).'
    ),
    "INVALID_REGION": "Регион должен быть кодом ISO 3166-1 alpha-2, например RU.",
    "NO_EXCHANGE_RATE": "Для этой валюты не задан курс; цену в регионе пока нельзя рассчитать.",
    "UNSUPPORTED_CURRENCY": "Платежи в этой валюте не принимаются.",
    # -- payments ---------------------------------------------------------------------------
    "CARD_LOCKED": (
        "Эта карта временно заблокирована после неудачных платежей; выберите другой способ."
    ),
    "GAME_ALREADY_RELEASED": "Игра уже вышла: её покупают, а не предзаказывают.",
    "GAME_NOT_PUBLISHED": "Игра не опубликована в магазине, её нельзя купить.",
    "PAYMENT_PURPOSE_NOT_ALLOWED": (
        "Платёж с этим назначением так не создаётся: его начинает свой раздел API "
        "или сервис платформы."
    ),
    "PAYMENT_PURPOSE_NOT_OWNED": "Платёж с этим назначением создаёт только сервис-владелец.",
    "PREORDER_PAYMENT_MISMATCH": (
        "Предзаказ оплачивается только своей предоплатой, её начинает владелец предзаказа."
    ),
    "GAME_ID_REQUIRED": "game_id обязателен для покупки и предзаказа игры и только для них.",
    "GAME_IS_FREE": "Игра бесплатна: платить за неё не нужно.",
    "GAME_NOT_FOR_SALE": "Эта игра сейчас не продаётся.",
    "GAME_NOT_FOUND": "Игра не найдена.",
    "ILLEGAL_PAYMENT_TRANSITION": "В текущем состоянии платежа это действие невозможно.",
    "INSUFFICIENT_FUNDS": "Недостаточно средств.",
    "INSUFFICIENT_WALLET_BALANCE": "Баланса кошелька не хватает для оплаты.",
    "INVALID_CAPTURE_AMOUNT": "Сумма списания должна быть положительной и не больше суммы платежа.",
    "INVALID_CARD_VERIFICATION": (
        "Проверка карты — это авторизация 1,00 RUB новой банковской картой с её сохранением."
    ),
    "INVALID_ENUM_VALUE": "Недопустимое значение поля.",
    "INVALID_ID": "Идентификатор должен быть UUID.",
    "INVALID_REFERENCE": "Ссылка (reference) должна содержать от 1 до 255 символов.",
    "INVALID_WALLET_AMOUNT": (
        "Часть оплаты кошельком должна быть от нуля до суммы платежа в его валюте."
    ),
    "METHOD_NOT_AVAILABLE_FOR_CURRENCY": "Этот способ оплаты недоступен для валюты платежа.",
    "METHOD_NOT_SUPPORTED_BY_PROVIDER": "Платёжный провайдер не поддерживает этот способ оплаты.",
    "NO_PROVIDER_AVAILABLE": (
        "Сейчас ни один платёжный провайдер не может принять платёж; повторите попытку позже."
    ),
    "PAYMENT_BLOCKED": "Платёж отклонён правилами защиты от мошенничества.",
    "PAYMENT_NOT_FOUND": "Платёж не найден.",
    "PAYMENT_NOT_ON_HOLD": "Платёж не задержан для проверки.",
    "HOLD_ALREADY_DECIDED": "По задержанному платежу уже принято решение.",
    "PROVIDER_ALREADY_ASSIGNED": "Платёж уже передан платёжному провайдеру.",
    "SAVED_METHOD_NOT_FOUND": "Сохранённый способ оплаты не найден.",
    "SAVED_METHOD_REQUIRED": "Нужен сохранённый способ оплаты.",
    "UNKNOWN_PAYMENT_METHOD": (
        "Неизвестный способ оплаты: укажите bank_card, sbp, sberpay, yoomoney, wallet "
        "или идентификатор сохранённого способа."
    ),
    "WALLET_NEEDS_NO_PROVIDER": "Платёж, оплаченный только кошельком, не отправляется провайдеру.",
    "WALLET_NOT_ALLOWED_FOR_PURPOSE": "Этот платёж нельзя оплатить из кошелька.",
    # -- providers and webhooks -------------------------------------------------------------
    "PROVIDER_AUTH_FAILED": (
        "Платёжный провайдер не принял наши учётные данные; повторите попытку позже."
    ),
    "PROVIDER_TIMEOUT": "Платёжный провайдер не ответил вовремя; повторите попытку позже.",
    "PROVIDER_BAD_RESPONSE": "Платёжный провайдер ответил непонятно; повторите попытку позже.",
    "PROVIDER_NOT_CONFIGURED": "Платёжный провайдер не настроен.",
    "PROVIDER_OBJECT_NOT_FOUND": "Платёжный провайдер не знает этот объект.",
    "PROVIDER_REJECTED": "Платёжный провайдер отклонил запрос.",
    "PROVIDER_UNAVAILABLE": "Платёжный провайдер сейчас недоступен; повторите попытку позже.",
    "UNKNOWN_PROVIDER_STATUS": "Платёжный провайдер сообщил неизвестный статус платежа.",
    "WEBHOOK_BODY_INVALID": "Уведомление имеет непонятный формат.",
    "WEBHOOK_SIGNATURE_INVALID": "Подпись уведомления отсутствует или неверна.",
    # -- wallet -----------------------------------------------------------------------------
    "TOP_UP_ABOVE_MAXIMUM": "Сумма пополнения больше максимальной.",
    "TOP_UP_BELOW_MINIMUM": "Сумма пополнения меньше минимальной.",
    "TOP_UP_METHOD_NOT_ALLOWED": "Кошелёк нельзя пополнить из самого кошелька.",
    "WALLET_BALANCE_CAP_EXCEEDED": "Баланс кошелька превысил бы допустимый предел (161-ФЗ).",
    "WALLET_CURRENCY_MISMATCH": "Кошелёк ведётся в другой валюте.",
    "WALLET_CURRENCY_NOT_SUPPORTED": "Кошелёк ведётся только в рублях.",
    "WALLET_LOCKED": "Кошелёк заблокирован на время спора по платежу: тратить с него нельзя.",
    # -- refunds and chargebacks ------------------------------------------------------------
    "CHARGEBACK_ALREADY_RESOLVED": "Спор по платежу уже разрешён.",
    "ILLEGAL_REFUND_TRANSITION": "В текущем состоянии возврата это действие невозможно.",
    "INVALID_REFUND_REASON": "Эту причину возврата нельзя указать в запросе.",
    "PAYMENT_DISPUTED": "По платежу открыт спор с банком-эмитентом: вернуть его нельзя.",
    "PAYMENT_NOT_REFUNDABLE": "Этот платёж нельзя вернуть.",
    "REFUND_EXCEEDS_CAPTURED": "Сумма возврата больше той, что ещё можно вернуть.",
    "REFUND_NOT_FOUND": "Возврат не найден.",
    "REFUND_REASON_NOT_ALLOWED": "Возврат по этой причине запрашивает сервис, а не пользователь.",
    "REFUND_WOULD_EXCEED_WALLET_CAP": "Возврат на кошелёк превысил бы предел его баланса.",
    # -- receipts ---------------------------------------------------------------------------
    "CUSTOMER_CONTACT_REQUIRED": "Для чека нужен e-mail или телефон покупателя.",
    "INVALID_EMAIL": "Это не адрес электронной почты.",
    "INVALID_ITEM": "Позиция чека заполнена неверно.",
    "INVALID_PHONE": "Телефон должен быть в формате +7XXXXXXXXXX.",
    "NO_RECEIPT_FOR_PURPOSE": "Для платежа с этим назначением чек не формируется.",
    "RECEIPT_NOT_READY": "Чек, о котором это уведомление, ещё не записан.",
    "RECEIPT_TOTAL_MISMATCH": "Сумма позиций чека не совпадает с суммой платежа.",
    # -- coupons ----------------------------------------------------------------------------
    "COUPON_CODE_TAKEN": "Купон с таким кодом уже существует.",
    "COUPON_CURRENCY_MISMATCH": "Купон действует в другой валюте.",
    "COUPON_DISABLED": "Купон отключён.",
    "COUPON_EXHAUSTED": "Купон исчерпан.",
    "COUPON_EXPIRED": "Срок действия купона истёк.",
    "COUPON_MIN_AMOUNT": "Сумма заказа меньше минимальной для купона.",
    "COUPON_NOT_APPLICABLE": "Купон не применяется к этому платежу.",
    "COUPON_NOT_FOUND": "Такого купона нет.",
    "COUPON_NOT_STARTED": "Купон ещё не действует.",
    "COUPON_USER_LIMIT_REACHED": "Вы уже использовали этот купон максимальное число раз.",
    "INVALID_COUPON_CODE": "Код купона — от 3 до 32 букв, цифр, «-» или «_».",
    "INVALID_COUPON_DISCOUNT": (
        "Процентный купон задаёт percent_off от 1 до 100 без amount_off; фиксированный — "
        "положительный amount_off без percent_off."
    ),
    "INVALID_COUPON_LIMIT": "Лимит использований купона — не меньше 1.",
    "INVALID_COUPON_PERIOD": "Купон должен заканчиваться позже, чем начинается.",
    "INVALID_MIN_ORDER": "Минимальная сумма заказа должна быть положительной.",
    "TOO_MANY_COUPONS": "Слишком много купонов в одном заказе.",
    # -- gift cards -------------------------------------------------------------------------
    "GIFT_CARD_ALREADY_REVEALED": "Код подарочной карты уже был показан.",
    "GIFT_CARD_ALREADY_SPENT": "Подарочная карта уже использована.",
    "GIFT_CARD_ATTEMPTS_EXCEEDED": (
        "Слишком много неверных кодов подарочных карт; повторите попытку позже."
    ),
    "GIFT_CARD_CURRENCY_MISMATCH": "Подарочная карта в другой валюте.",
    "GIFT_CARD_CURRENCY_NOT_SUPPORTED": "Подарочные карты продаются только в рублях.",
    "GIFT_CARD_EXHAUSTED": "На подарочной карте не осталось средств.",
    "GIFT_CARD_EXPIRED": "Срок действия подарочной карты истёк.",
    "GIFT_CARD_MESSAGE_TOO_LONG": "Сообщение к подарочной карте — не длиннее 500 символов.",
    "GIFT_CARD_NOT_APPLICABLE": "Подарочной картой нельзя оплатить этот платёж.",
    "GIFT_CARD_NOT_FOUND": "Подарочной карты с таким кодом нет.",
    "GIFT_CARD_NOT_ISSUED": "Подарочная карта будет выпущена, когда пройдёт её оплата.",
    "GIFT_CARD_PURCHASE_NOT_FOUND": "Этот платёж не был покупкой подарочной карты.",
    "INVALID_GIFT_CARD_EXPIRY": "Подарочная карта должна истекать в будущем.",
    "INVALID_GIFT_CARD_VALUE": "Номинал подарочной карты вне допустимых пределов.",
    "TOO_MANY_GIFT_CARDS": "Слишком много подарочных карт в одном заказе.",
    # -- donations and streamer payouts -----------------------------------------------------
    "DONATION_AMOUNT_NOT_POSITIVE": "Сумма доната должна быть положительной.",
    "DONATION_CURRENCY_NOT_SUPPORTED": "Донаты принимаются только в рублях.",
    "DONATION_MESSAGE_TOO_LONG": "Сообщение к донату — не длиннее 300 символов.",
    "DONATION_TO_SELF": "Нельзя отправить донат самому себе.",
    "INVALID_PAYOUT_DESTINATION": "Номер кошелька ЮMoney — от 11 до 20 цифр.",
    "PAYOUT_DESTINATION_NOT_FOUND": "Кошелёк для выплат не указан.",
    "STREAMER_BALANCE_FORBIDDEN": "Этот баланс видят только сам стример и администратор.",
    # -- preorders --------------------------------------------------------------------------
    "ILLEGAL_PREORDER_STATE": "В текущем состоянии предзаказа это действие невозможно.",
    "PARTIAL_PREPAYMENT_UNAVAILABLE": (
        "Цена игры слишком мала для частичной предоплаты; оплатите её полностью."
    ),
    "PREORDER_NOT_CANCELLABLE": "Этот предзаказ уже нельзя отменить.",
    "PREORDER_NOT_FOUND": "Предзаказ не найден.",
    "PREORDER_OPEN": "Платёж открытого предзаказа возвращается отменой предзаказа.",
    # -- payouts and referral payouts -------------------------------------------------------
    "INVALID_PAGE_SIZE": "Размер страницы не может быть отрицательным.",
    "INVALID_PAGE_TOKEN": "Неверный токен страницы.",
    "PAYOUT_ALREADY_FINAL": "Выплата уже завершена.",
    "PAYOUT_NOT_FOUND": "Выплата не найдена.",
    "REFERRAL_AMOUNT_NOT_POSITIVE": "Сумма реферальной выплаты должна быть положительной.",
    "REFERRAL_CURRENCY_NOT_SUPPORTED": "Кошелёк ведётся только в рублях.",
    "REFERRAL_DESTINATION_NOT_SUPPORTED": "Реферальные выплаты поддерживаются только на кошелёк.",
    "REFERRAL_INVALID_REFERENCE": "Ссылка (reference) выплаты — от 1 до 128 символов.",
    "REFERRAL_REFERENCE_REUSED": "Выплата с этой ссылкой (reference) уже была, с другими данными.",
    # -- fraud rules ------------------------------------------------------------------------
    "FRAUD_RULE_NOT_FOUND": "Правило антифрода не найдено.",
    "INVALID_RULE_ACTION": "Это правило не может выполнять такое действие.",
    "INVALID_RULE_PARAMETER": "Параметр правила — целое число от 1 до 2147483647.",
    "UNKNOWN_RULE_PARAMETER": "У этого правила нет такого параметра.",
    # -- ledger and revenue share (internal invariants) -------------------------------------
    "INVALID_REVENUE_TIERS": "Ступени доли платформы заданы неверно.",
    "INVALID_TIER_WEIGHT": "Вес ступени не может быть отрицательным.",
    "LEDGER_ACCOUNT_NOT_FOUND": "Счёт учёта не найден.",
    "LEDGER_AMOUNT_NOT_POSITIVE": "Каждая проводка переносит положительную сумму.",
    "LEDGER_INVALID_KEY": "Ключ идемпотентности проводки — от 1 до 255 символов.",
    "LEDGER_INVALID_KIND": "Вид проводки — от 1 до 48 символов.",
    "LEDGER_INVALID_OWNER": "Неверный владелец счёта учёта.",
    "LEDGER_KEY_REUSED": "Ключ идемпотентности проводки уже использован для другой проводки.",
    "LEDGER_LIMIT_EXCEEDED": "Проводка превысила бы лимит счёта.",
    "LEDGER_TOO_FEW_ENTRIES": "В проводке должно быть не меньше двух записей.",
    "LEDGER_TRANSACTION_UNBALANCED": "Проводка не сбалансирована: дебет не равен кредиту.",
    "LEDGER_UNKNOWN_ACCOUNT": "Счёт учёта не существует.",
    "REVERSAL_NOT_POSITIVE": "Сторно продажи — положительная сумма.",
    "SALE_AMOUNT_NOT_POSITIVE": "Сумма продажи должна быть положительной.",
    "SALE_REVERSAL_EXCEEDS_SALE": "Сторно превысило бы сумму продажи.",
}
