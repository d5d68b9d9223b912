"""The configured CRM clients and their field names (TONEWATCH_HUBSPOT_*, TONEWATCH_SALESFORCE_*,
TONEWATCH_CRM_FIELDS); each SDK is imported only when its CRM is configured."""

from __future__ import annotations

from bot.config.settings import Settings
from bot.crm.base import PULLED, PUSHED, CrmClient
from storage.errors import ConfigError

#: Default property names; TONEWATCH_CRM_FIELDS overrides any (an empty name turns a field off).
DEFAULT_FIELDS: dict[str, dict[str, str]] = {
    "hubspot": {
        "light": "tonewatch_health",
        "trend": "tonewatch_trend",
        "average_30d": "tonewatch_average_30d",
        "last_negative_at": "tonewatch_last_negative",
        "churn_risk": "tonewatch_churn_risk",
        "suppress_outreach": "tonewatch_suppress_outreach",
        "arr": "arr",
        "currency": "",
        "tier": "tier",
        "renewal_date": "renewal_date",
    },
    "salesforce": {
        "light": "Tonewatch_Health__c",
        "trend": "Tonewatch_Trend__c",
        "average_30d": "Tonewatch_Average_30d__c",
        "last_negative_at": "Tonewatch_Last_Negative__c",
        "churn_risk": "Tonewatch_Churn_Risk__c",
        "suppress_outreach": "Tonewatch_Suppress_Outreach__c",
        "arr": "ARR__c",
        "currency": "",
        "tier": "Tier__c",
        "renewal_date": "Renewal_Date__c",
    },
}


def fields_for(settings: Settings, system: str) -> dict[str, str]:
    return {**DEFAULT_FIELDS[system], **settings.crm_fields.get(system, {})}


def build_crm_clients(settings: Settings) -> tuple[dict[str, CrmClient], dict[str, dict[str, str]]]:
    """(clients by system, pushed field names by system) for the configured CRMs."""
    clients: dict[str, CrmClient] = {}
    pushed: dict[str, dict[str, str]] = {}
    for system in settings.crm_systems:
        fields = fields_for(settings, system)
        pulled = {key: fields[key] for key in PULLED if fields.get(key)}
        pushed[system] = {key: fields[key] for key in PUSHED if fields.get(key)}
        try:
            if system == "hubspot":
                from bot.crm.hubspot import HubSpotCrm

                assert settings.hubspot_token is not None
                clients[system] = HubSpotCrm(
                    settings.hubspot_token.get_secret_value(), settings.hubspot_url, pulled
                )
            else:
                from bot.crm.salesforce import SalesforceCrm

                assert settings.salesforce_token is not None and settings.salesforce_url is not None
                clients[system] = SalesforceCrm(
                    settings.salesforce_url, settings.salesforce_token.get_secret_value(), pulled
                )
        except ImportError:
            raise ConfigError(
                f"{system} is configured but its client is not installed: pip install 'tonewatch[{system}]'"
            ) from None
    return clients, pushed
