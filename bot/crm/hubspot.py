"""HubSpot through hubspot-api-client (extra `hubspot`): companies, their owners, custom properties, tasks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.crm.base import CrmClient, CrmRecord, domain_of, parse_date, parse_number, retry_policy

#: HubSpot's association type id from a task to a company.
TASK_TO_COMPANY = 192


class HubSpotCrm(CrmClient):
    system = "hubspot"

    def __init__(self, token: str, host: str, pulled: dict[str, str]) -> None:
        from hubspot import HubSpot

        self.client = HubSpot(access_token=token, retry=retry_policy(), host=host.rstrip("/"))
        self.pulled = pulled
        self._owners: dict[str, tuple[str | None, str]] = {}

    def _owner(self, owner_id: str | None) -> tuple[str | None, str]:
        if not owner_id:
            return None, ""
        if owner_id not in self._owners:
            owner = self.client.crm.owners.owners_api.get_by_id(owner_id=int(owner_id))
            name = " ".join(p for p in (owner.first_name, owner.last_name) if p)
            self._owners[owner_id] = (owner.email, name)
        return self._owners[owner_id]

    def pull(self) -> list[CrmRecord]:
        properties = ["name", "domain", "hubspot_owner_id", *self.pulled.values()]
        records: list[CrmRecord] = []
        after = None
        while True:
            page = self.client.crm.companies.basic_api.get_page(limit=100, after=after, properties=properties)
            for company in page.results:
                values: dict[str, Any] = company.properties or {}
                email, name = self._owner(values.get("hubspot_owner_id"))
                domain = domain_of(values.get("domain"))
                records.append(
                    CrmRecord(
                        crm_id=str(company.id),
                        name=values.get("name") or "",
                        domains=[domain] if domain else [],
                        owner_email=email,
                        owner_name=name,
                        owner_crm_id=values.get("hubspot_owner_id"),
                        arr=parse_number(values.get(self.pulled.get("arr", ""))),
                        currency=values.get(self.pulled.get("currency", "")) or None,
                        tier=values.get(self.pulled.get("tier", "")) or None,
                        renewal_date=parse_date(values.get(self.pulled.get("renewal_date", ""))),
                    )
                )
            following = page.paging.next.after if page.paging and page.paging.next else None
            if not following:
                return records
            after = following

    def push(self, crm_id: str, properties: dict[str, Any]) -> None:
        from hubspot.crm.companies import SimplePublicObjectInput

        # HubSpot properties are strings: booleans "true"/"false", an empty value clears.
        text = {
            key: ("true" if value else "false")
            if isinstance(value, bool)
            else ("" if value is None else str(value))
            for key, value in properties.items()
        }
        self.client.crm.companies.basic_api.update(
            company_id=crm_id, simple_public_object_input=SimplePublicObjectInput(properties=text)
        )

    def create_task(self, crm_id: str, subject: str, body: str) -> str:
        from hubspot.crm.objects.tasks import SimplePublicObjectInputForCreate

        company = self.client.crm.companies.basic_api.get_by_id(
            company_id=crm_id, properties=["hubspot_owner_id"]
        )
        properties = {
            "hs_task_subject": subject,
            "hs_task_body": body,
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": "HIGH",
            "hs_timestamp": datetime.now(UTC).isoformat(),
        }
        owner = (company.properties or {}).get("hubspot_owner_id")
        if owner:
            properties["hubspot_owner_id"] = owner
        created = self.client.crm.objects.tasks.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties=properties,
                associations=[
                    {
                        "to": {"id": crm_id},
                        "types": [
                            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": TASK_TO_COMPANY}
                        ],
                    }
                ],
            )
        )
        return str(created.id)

    def close_task(self, task_id: str) -> None:
        from hubspot.crm.objects.tasks import SimplePublicObjectInput

        self.client.crm.objects.tasks.basic_api.update(
            task_id=task_id,
            simple_public_object_input=SimplePublicObjectInput(properties={"hs_task_status": "COMPLETED"}),
        )
