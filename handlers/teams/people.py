"""Who is on the customer's side in Teams, decided from the roster Teams returns.

A member is external when Teams marks them a guest, when they belong to
another Entra tenant (shared channels, external access), or when that cannot
be told (no tenant on the member, or ours unknown): any doubt counts as
external, so a channel with such a member never receives internal content. An
author of our own tenant still writes as the customer when their e-mail domain
is one of the account's (`Account.domains`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Teams' `userRole` for guests (anonymous meeting users are "anonymous").
OUTSIDE_ROLES = frozenset({"guest", "anonymous"})


@dataclass(frozen=True)
class Person:
    id: str
    name: str = ""
    email: str | None = None
    tenant_id: str | None = None
    role: str | None = None
    aad_object_id: str | None = None

    @property
    def domain(self) -> str | None:
        if not self.email or "@" not in self.email:
            return None
        return self.email.rsplit("@", 1)[1].strip().lower() or None


def person_from(account: Any) -> Person:
    """A Person from the SDK's ChannelAccount (Teams' fields beyond the model's kept as extras), or from
    the same account as JSON, whichever fields Teams filled in."""
    wire = account.model_dump(by_alias=True, exclude_none=True) if hasattr(account, "model_dump") else account
    wire = wire if isinstance(wire, dict) else {}

    def field(name: str) -> str | None:
        value = wire.get(name)
        return str(value) if value else None

    return Person(
        id=field("id") or "",
        name=field("name") or "",
        email=field("email") or field("userPrincipalName"),
        tenant_id=field("tenantId"),
        role=field("userRole"),
        aad_object_id=field("aadObjectId"),
    )


def is_external(person: Person, home_tenant: str | None) -> bool:
    """A guest, another tenant's member, or anyone whose tenant cannot be compared with ours."""
    if (person.role or "").lower() in OUTSIDE_ROLES:
        return True
    if not home_tenant or not person.tenant_id:
        return True
    return person.tenant_id.lower() != home_tenant.lower()


def writes_as_customer(person: Person, home_tenant: str | None, domains: set[str]) -> bool:
    return is_external(person, home_tenant) or (person.domain is not None and person.domain in domains)
