"""msrest, under botbuilder, spends ~6 ms of CPU building each Bot Connector client.

Every inbound turn and every proactive post (an alert, a card update) builds new
clients, and each build computes its retry policy's status list with
`i not in safe_codes` over a 500-item *list*, 999 times — on the event loop. At
20 messages/s that alone held Teams' acknowledgements for hundreds of
milliseconds (bench/load.py --surface teams). Making `safe_codes` a frozenset
keeps every value the same and the lookup O(1).
"""

from __future__ import annotations


def make_client_construction_cheap() -> None:
    """Idempotent; called by the composition root when it builds the Teams surface."""
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)
