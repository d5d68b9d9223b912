"""What the account book accepts: one account's owner, value, currency, tier, renewal, domains, CRM id.

Every way in (an imported file, a chat command, an /ingest payload, the CRM sync) builds a
`BookEntry`; each field's parser raises `ValueError` with a sentence that names the problem. A
field left out (None) leaves what the book has.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from storage.book import PersonInfo
from storage.tenants import DEFAULT_TENANT

MAX_ACCOUNT_NAME = 200
#: Values above this are a typo (or cents), not an annual contract.
MAX_ARR = 1e12
_EMAIL = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "b": 1e9}
CRM_SYSTEMS = ("hubspot", "salesforce")


@dataclass
class BookEntry:
    account: str
    owners: list[PersonInfo] | None = None
    arr: float | None = None
    currency: str | None = None
    tier: str | None = None
    renewal_date: date | None = None
    domains: list[str] = field(default_factory=list)
    crm: dict[str, str] | None = None
    #: Whose account it is (storage/tenants.py).
    tenant: str = DEFAULT_TENANT

    def changes(self) -> list[str]:
        """The fields this entry sets, for a confirmation line."""
        named = {
            "owner": self.owners is not None,
            "arr": self.arr is not None,
            "currency": self.currency is not None,
            "tier": self.tier is not None,
            "renewal_date": self.renewal_date is not None,
            "domains": bool(self.domains),
            "crm": bool(self.crm),
        }
        return [name for name, present in named.items() if present]


def parse_account(value: object) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValueError("the account name is missing")
    if len(name) > MAX_ACCOUNT_NAME:
        raise ValueError(f"an account name has at most {MAX_ACCOUNT_NAME} characters")
    return name


def parse_email(value: object) -> str:
    text = str(value).strip().strip("<>").removeprefix("mailto:").lower()
    if len(text) > 300 or not _EMAIL.match(text):
        raise ValueError(f"{str(value)[:80]!r} is not an email address")
    return text


def parse_owner_emails(value: object) -> list[PersonInfo]:
    """ "sam@corp.com" or "sam@corp.com; kim@corp.com" (the first is the primary owner)."""
    parts = [p for p in re.split(r"[;,\s]+", str(value).strip()) if p]
    return [PersonInfo(email=parse_email(part)) for part in parts]


def parse_arr(value: object) -> tuple[float, str | None]:
    """ "48000", "48,000", "$48k", "1.2m", 48000 → (amount, currency its symbol names or None)."""
    if isinstance(value, bool):
        raise ValueError("arr must be a number like 48000")
    if isinstance(value, int | float):
        amount, currency = float(value), None
    else:
        text = str(value).strip().replace(",", "").replace("_", "").replace(" ", "")
        currency = None
        if text[:1] in _SYMBOLS:
            currency, text = _SYMBOLS[text[0]], text[1:]
        multiplier = 1.0
        if text[-1:].lower() in _MULTIPLIERS:
            multiplier, text = _MULTIPLIERS[text[-1].lower()], text[:-1]
        try:
            amount = float(text) * multiplier
        except ValueError:
            raise ValueError(f"arr must be a number like 48000 or 48k, not {str(value)[:40]!r}") from None
    if amount != amount or amount < 0 or amount > MAX_ARR:  # NaN, negative, absurd
        raise ValueError(f"arr must be between 0 and {MAX_ARR:,.0f}")
    return round(amount, 2), currency


def parse_currency(value: object) -> str:
    text = str(value).strip().upper()
    if text in _SYMBOLS:
        return _SYMBOLS[text]
    if not _CURRENCY.match(text):
        raise ValueError(f"currency must be a three-letter code like USD or EUR, not {str(value)[:20]!r}")
    return text


def parse_tier(value: object) -> str:
    text = " ".join(str(value).split())
    if not text or len(text) > 50:
        raise ValueError("tier must be a short name (at most 50 characters)")
    return text


def parse_renewal_date(value: object) -> date:
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if len(text) > 10 and text[10] in "T ":
        text = text[:10]  # a timestamp's date
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"renewal_date must be a date like 2027-01-31, not {text[:40]!r}") from None


def parse_domains(value: object) -> list[str]:
    items = value if isinstance(value, list | tuple) else re.split(r"[;,\s]+", str(value))
    domains = []
    for item in items:
        domain = str(item).strip().lower().lstrip("@")
        if not domain:
            continue
        if not _DOMAIN.match(domain) or len(domain) > 253:
            raise ValueError(f"{domain[:80]!r} is not an email domain like acme.com")
        domains.append(domain)
    return list(dict.fromkeys(domains))


def parse_crm_id(value: object) -> dict[str, str]:
    """ "hubspot:123" → {"hubspot": "123"}; a bare id → {"id": "…"}."""
    text = str(value).strip()
    system, colon, rest = text.partition(":")
    if colon and system.lower() in CRM_SYSTEMS:
        key, text = system.lower(), rest.strip()
    else:
        key = "id"
    if not text or len(text) > 100 or any(ch.isspace() for ch in text):
        raise ValueError(f"crm_id must be one id like 0015g00000XyZ or hubspot:1234, not {str(value)[:40]!r}")
    return {key: text}


_YES = {"yes", "y", "true", "1", "on"}
_NO = {"no", "n", "false", "0", "off"}


def parse_switch(value: object) -> bool:
    text = str(value).strip().lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"must be on or off (yes/no), not {str(value)[:20]!r}")


def with_dm(owners: list[PersonInfo], dm: bool) -> list[PersonInfo]:
    """The owners, each taking alerts by direct message or not."""
    import dataclasses

    return [dataclasses.replace(person, dm_alerts=dm) for person in owners]
