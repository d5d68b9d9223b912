"""Which account a mail sender belongs to, and whether the sender is one of us.

In order: an exact address or domain in TONEWATCH_DOMAIN_ACCOUNTS; a domain
listed on an account (`Account.domains`); otherwise a new account named after
the domain, which remembers the domain so renaming it later keeps the link.
Senders from TONEWATCH_OUR_DOMAINS (and their subdomains) are staff. Personal
mail providers say nothing about the company, so such a sender only gets an
account through an explicit mapping (or the thread it writes in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from storage.db import Engine
from storage.queries import domain_accounts, ensure_account_domain

#: Mail providers for individuals: the domain names no customer company.
PERSONAL_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "hotmail.co.uk",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.co.uk",
        "yahoo.fr",
        "yahoo.de",
        "ymail.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "pm.me",
        "gmx.de",
        "gmx.net",
        "gmx.com",
        "web.de",
        "t-online.de",
        "mail.com",
        "yandex.ru",
        "yandex.com",
        "mail.ru",
        "qq.com",
        "163.com",
        "126.com",
        "naver.com",
        "zoho.com",
        "fastmail.com",
        "hey.com",
        "tutanota.com",
        "orange.fr",
        "free.fr",
        "laposte.net",
        "libero.it",
        "seznam.cz",
        "wp.pl",
        "o2.pl",
    }
)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].strip().lower()


class AccountDirectory:
    """Sender → account name, read from settings and the accounts table (reload with `refresh`)."""

    def __init__(
        self,
        engine: Engine | None,
        our_domains: Iterable[str] = (),
        domain_accounts: Mapping[str, str] | None = None,
    ) -> None:
        self.engine = engine
        self.our_domains = tuple(domain.lower() for domain in our_domains)
        self.mapping = {key.lower(): name for key, name in (domain_accounts or {}).items()}
        self._stored: dict[str, str] = {}

    def refresh(self) -> None:
        """Re-read the domains stored on accounts (they change through the CLI or auto-creation)."""
        if self.engine is None:  # a reader without a database (`tonewatch email-preview`)
            return
        self._stored = domain_accounts(self.engine)

    def is_staff(self, address: str) -> bool:
        domain = _domain(address)
        ours = self.our_domains
        return bool(domain) and any(domain == own or domain.endswith("." + own) for own in ours)

    def is_customer_address(self, address: str) -> bool:
        return "@" in address and not self.is_staff(address)

    def account_name(self, address: str) -> str | None:
        """The account a customer address belongs to, or None (a personal address with no mapping)."""
        address = address.strip().lower()
        domain = _domain(address)
        if not domain:
            return None
        if address in self.mapping:
            return self.mapping[address]
        for candidate in _parent_domains(domain):
            if candidate in self.mapping:
                return self.mapping[candidate]
        for candidate in _parent_domains(domain):
            if candidate in self._stored:
                return self._stored[candidate]
        if domain in PERSONAL_MAIL_DOMAINS:
            return None
        return domain

    def remember(self, account: str, address: str) -> None:
        """Make sure the account exists and lists the sender's domain (not for personal mail domains)."""
        domain = _domain(address)
        if self.engine is None:
            return
        listed = domain if domain and domain not in PERSONAL_MAIL_DOMAINS else None
        ensure_account_domain(self.engine, account, listed)
        if domain and domain not in PERSONAL_MAIL_DOMAINS:
            self._stored.setdefault(domain, account)


def _parent_domains(domain: str) -> list[str]:
    """ "eu.mail.acme.com" → ["eu.mail.acme.com", "mail.acme.com", "acme.com"] (never a bare TLD)."""
    parts = domain.split(".")
    return [".".join(parts[index:]) for index in range(len(parts) - 1)]
