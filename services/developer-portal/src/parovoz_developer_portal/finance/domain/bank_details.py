"""Russian bank details for payouts by bank transfer: the checks a bank would make, and masking.

Check digits:
- ИНН: the Federal Tax Service's algorithm (``accounts.is_valid_inn``);
- settlement and correspondent accounts: the Bank of Russia's control key (Положение ЦБ РФ
  № 579-П, приложение): 23 digits, weights 7-1-3 repeated, the sum ends in 0. A settlement
  account is checked after the БИК's last 3 digits, a correspondent account after "0" and the
  БИК's 5th-6th digits (the settlement-network code); a correspondent account also ends in the
  БИК's last 3 digits.

A detail is never put into an error message or a log: errors name the field, not its value.
"""

from __future__ import annotations

from dataclasses import dataclass

from parovoz_kit.errors import ValidationFailed

from parovoz_developer_portal.accounts.domain import LegalEntityType, is_valid_inn

#: Payouts are made in roubles to Russian banks (PRODUCT.md, Money and regions).
PAYOUT_CURRENCIES = frozenset({"RUB"})
_CONTROL_WEIGHTS = ((7, 1, 3) * 8)[:23]
_MASK = "•"
_ATTRIBUTES = "/data/attributes"


@dataclass(frozen=True, repr=False)
class BankDetails:
    """Where a payout goes. Sensitive: stored encrypted, shown masked, never logged."""

    recipient_name: str
    inn: str
    kpp: str | None
    bik: str
    account_number: str
    correspondent_account: str
    bank_name: str

    def __repr__(self) -> str:  # a stray log line or traceback shows no detail
        return "BankDetails(<redacted>)"

    @property
    def recipient_is_organisation(self) -> bool:
        return len(self.inn) == 10


@dataclass(frozen=True)
class MaskedBankDetails:
    """What a person sees: enough to recognise the account, not enough to use it."""

    recipient_name: str
    inn: str
    kpp: str | None
    bik: str
    account_number: str
    correspondent_account: str
    bank_name: str


def _control_key_ok(prefix: str, account: str) -> bool:
    digits = prefix + account
    if len(digits) != len(_CONTROL_WEIGHTS) or not digits.isdigit():
        return False
    return sum(int(d) * w for d, w in zip(digits, _CONTROL_WEIGHTS, strict=True)) % 10 == 0


def is_valid_bik(bik: str) -> bool:
    """9 digits; Russian banks' БИК start with 04 (the country code of the Bank of Russia)."""
    return len(bik) == 9 and bik.isdigit() and bik.startswith("04")


def is_valid_settlement_account(account: str, bik: str) -> bool:
    return len(account) == 20 and account.isdigit() and _control_key_ok(bik[-3:], account)


def is_valid_correspondent_account(account: str, bik: str) -> bool:
    return (
        len(account) == 20
        and account.isdigit()
        and account.startswith("301")
        # A bank's correspondent account ends in the last 3 digits of its БИК.
        and account[-3:] == bik[-3:]
        and _control_key_ok("0" + bik[4:6], account)
    )


def is_valid_kpp(kpp: str) -> bool:
    # 4 digits of the tax office, 2 of the reason (digits or capital Latin letters), 3 digits.
    return (
        len(kpp) == 9
        and kpp[:4].isdigit()
        and all(c.isdigit() or "A" <= c <= "Z" for c in kpp[4:6])
        and kpp[6:].isdigit()
    )


def _invalid(field: str, detail: str, code: str) -> ValidationFailed:
    return ValidationFailed(detail, code=code, pointer=f"{_ATTRIBUTES}/{field}")


def _digits(value: str) -> str:
    """People paste account numbers with spaces; the bank reads the digits."""
    return "".join(value.split())


def validate_bank_details(details: BankDetails) -> BankDetails:
    """The details as stored (spaces removed, names trimmed), or ValidationFailed pointing at
    the first wrong field of the request body."""
    recipient_name = details.recipient_name.strip()
    bank_name = details.bank_name.strip()
    inn, bik = _digits(details.inn), _digits(details.bik)
    account, correspondent = _digits(details.account_number), _digits(details.correspondent_account)
    kpp = _digits(details.kpp).upper() if details.kpp is not None else None
    if not recipient_name:
        raise _invalid("recipient_name", "Give the recipient's name.", "RECIPIENT_NAME_REQUIRED")
    entity = LegalEntityType.LLC if len(inn) == 10 else LegalEntityType.SOLE_PROPRIETOR
    if not is_valid_inn(inn, entity):
        raise _invalid(
            "inn",
            "inn is not a valid ИНН: 10 digits for an organisation, 12 for a person, "
            "with check digits.",
            "INVALID_INN",
        )
    if len(inn) == 10:
        if not kpp:
            raise _invalid("kpp", "An organisation's details include its КПП.", "KPP_REQUIRED")
        if not is_valid_kpp(kpp):
            raise _invalid("kpp", "kpp is not a valid КПП (9 characters).", "INVALID_KPP")
    elif kpp:
        raise _invalid(
            "kpp", "An individual (ИП, самозанятый) has no КПП; leave it out.", "KPP_NOT_ALLOWED"
        )
    if not is_valid_bik(bik):
        raise _invalid(
            "bik", "bik is not a Russian БИК (9 digits starting with 04).", "INVALID_BIK"
        )
    if not is_valid_settlement_account(account, bik):
        raise _invalid(
            "account_number",
            "account_number is not a settlement account of this bank (20 digits whose control "
            "key matches the БИК).",
            "INVALID_ACCOUNT_NUMBER",
        )
    if not is_valid_correspondent_account(correspondent, bik):
        raise _invalid(
            "correspondent_account",
            "correspondent_account is not this bank's correspondent account (20 digits starting "
            "with 301 whose control key matches the БИК).",
            "INVALID_CORRESPONDENT_ACCOUNT",
        )
    if not bank_name:
        raise _invalid("bank_name", "Give the bank's name.", "BANK_NAME_REQUIRED")
    return BankDetails(
        recipient_name=recipient_name,
        inn=inn,
        kpp=kpp or None,
        bik=bik,
        account_number=account,
        correspondent_account=correspondent,
        bank_name=bank_name,
    )


def mask_account(number: str) -> str:
    """``•••• 1234``: the last four digits, as banks print them."""
    return f"{_MASK * 4} {number[-4:]}"


def mask_inn(inn: str) -> str:
    """First two digits (the region) and last two; the middle hidden."""
    return inn[:2] + _MASK * (len(inn) - 4) + inn[-2:]


def masked(details: BankDetails) -> MaskedBankDetails:
    """БИК, correspondent account and bank name are the bank's public data and stay readable."""
    return MaskedBankDetails(
        recipient_name=details.recipient_name,
        inn=mask_inn(details.inn),
        kpp=details.kpp,
        bik=details.bik,
        account_number=mask_account(details.account_number),
        correspondent_account=details.correspondent_account,
        bank_name=details.bank_name,
    )
