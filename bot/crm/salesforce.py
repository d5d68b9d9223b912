"""Salesforce through simple-salesforce (extra `salesforce`): accounts, their owners, custom fields, tasks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

import requests
from requests.adapters import HTTPAdapter

from bot.crm.base import CrmClient, CrmRecord, domain_of, parse_date, parse_number, retry_policy

if TYPE_CHECKING:
    from simple_salesforce.api import SFType

API_VERSION = "59.0"


def _soql_name(field: str) -> str:
    if not field.replace("_", "").replace(".", "").isalnum():
        raise ValueError(f"{field!r} is not a Salesforce field name")
    return field


class SalesforceCrm(CrmClient):
    system = "salesforce"

    def __init__(self, instance_url: str, token: str, pulled: dict[str, str]) -> None:
        from simple_salesforce import Salesforce

        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry_policy())
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        self.sf = Salesforce(
            instance_url=instance_url.rstrip("/"), session_id=token, session=session, version=API_VERSION
        )
        self.pulled = {key: _soql_name(value) for key, value in pulled.items() if value}

    def pull(self) -> list[CrmRecord]:
        fields = ["Id", "Name", "Website", "OwnerId", "Owner.Email", "Owner.Name", *self.pulled.values()]
        result = self.sf.query_all(f"SELECT {', '.join(dict.fromkeys(fields))} FROM Account")
        records = []
        for row in result.get("records", []):
            owner = row.get("Owner") or {}
            domain = domain_of(row.get("Website"))
            records.append(
                CrmRecord(
                    crm_id=str(row["Id"]),
                    name=row.get("Name") or "",
                    domains=[domain] if domain else [],
                    owner_email=owner.get("Email"),
                    owner_name=owner.get("Name") or "",
                    owner_crm_id=row.get("OwnerId"),
                    arr=parse_number(row.get(self.pulled.get("arr", ""))),
                    currency=row.get(self.pulled.get("currency", "")) or None,
                    tier=row.get(self.pulled.get("tier", "")) or None,
                    renewal_date=parse_date(row.get(self.pulled.get("renewal_date", ""))),
                )
            )
        return records

    def _sobject(self, name: str) -> SFType:
        # simple-salesforce types each attribute as an object or a bulk handler; only `bulk` and `bulk2`
        # are handlers.
        return cast("SFType", getattr(self.sf, name))

    def push(self, crm_id: str, properties: dict[str, Any]) -> None:
        self._sobject("Account").update(crm_id, properties)

    def create_task(self, crm_id: str, subject: str, body: str) -> str:
        account = self._sobject("Account").get(crm_id)
        task: dict[str, Any] = {
            "WhatId": crm_id,
            "Subject": subject[:255],
            "Description": body,
            "Status": "Not Started",
            "Priority": "High",
        }
        if account.get("OwnerId"):
            task["OwnerId"] = account["OwnerId"]
        created = self._sobject("Task").create(task)
        return str(created["id"])

    def close_task(self, task_id: str) -> None:
        self._sobject("Task").update(task_id, {"Status": "Completed"})
