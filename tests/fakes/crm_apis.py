"""The HubSpot and Salesforce REST API stand-ins for tests.

The stand-ins themselves are `bot/crm/standins.py` (`tonewatch demo` runs against the HubSpot one too);
this module re-exports them under the names tests import.
"""

from bot.crm.standins import TOKEN, FakeHubSpot, FakeSalesforce, Request  # noqa: F401  (re-exported)
