"""The Bot Framework token on every request to /api/messages, checked.

The Agents SDK's `JwtTokenValidator` checks the signature (RS256), the
audience (our app id), the issuer (the Bot Framework's, `VALIDATE_ISSUER`)
and the times, with the Bot Framework's five minutes of clock skew. Tonewatch
adds what the Bot Framework's rules ask beyond that: a token must have an
expiry (PyJWT checks `exp` only when present), the signing key must be
endorsed for the activity's channel, and the token must name the activity's
service URL (the SDK compares hosts only, and only warns unless its host
validator is on).

The SDK takes signing keys from a fixed public-cloud address; `SigningKeys`
reads them from the cloud's OpenID metadata instead (`BotEndpoints`), so a
sovereign cloud or the test stand-in names its own, and keeps each key's
endorsements.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import math
import time
from typing import Any

import aiohttp
from jwt import PyJWK, decode, get_unverified_header
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.core import AgentAuthConfiguration, ClaimsIdentity, JwtTokenValidator

from handlers.teams.adapter import BotEndpoints

log = logging.getLogger(__name__)


class TokenRefused(Exception):
    """The token is not one the Bot Framework issued for this activity (answered 401)."""


def has_expiry(authorization: str) -> bool:
    """Whether the bearer token's claims name an expiry time.

    A correctly signed token without `exp` would otherwise be good forever;
    such a token is refused before its signature is looked at.
    """
    parts = authorization.removeprefix("Bearer ").strip().split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error):
        return False
    expiry = claims.get("exp") if isinstance(claims, dict) else None
    return isinstance(expiry, int | float) and not isinstance(expiry, bool)


class SigningKeys:
    """The signing keys the cloud's OpenID metadata names, kept a day; an unknown key id reads them again,
    at most every five minutes (a flood of made-up key ids is not a flood of fetches)."""

    REFRESH_SECONDS = 24 * 3600.0
    UNKNOWN_KEY_COOLDOWN_SECONDS = 300.0
    TIMEOUT_SECONDS = 10.0

    def __init__(self, openid_metadata_url: str) -> None:
        self.openid_metadata_url = openid_metadata_url
        self._keys: dict[str, dict[str, Any]] = {}
        self._read_at = -math.inf
        self._lock = asyncio.Lock()

    def _due(self, key_id: str) -> bool:
        age = time.monotonic() - self._read_at
        return age > self.REFRESH_SECONDS or (
            key_id not in self._keys and age > self.UNKNOWN_KEY_COOLDOWN_SECONDS
        )

    async def get(self, key_id: str) -> dict[str, Any] | None:
        """The key's JWK (with its `endorsements`), or None when the cloud has no such key."""
        if self._due(key_id):
            async with self._lock:
                if self._due(key_id):
                    self._keys = await self._read()
                    self._read_at = time.monotonic()
        return self._keys.get(key_id)

    async def _read(self) -> dict[str, dict[str, Any]]:
        timeout = aiohttp.ClientTimeout(total=self.TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout, raise_for_status=True) as http:
            async with http.get(self.openid_metadata_url) as response:
                metadata = await response.json(content_type=None)
            async with http.get(metadata["jwks_uri"]) as response:
                keys = (await response.json(content_type=None))["keys"]
        return {key["kid"]: key for key in keys if isinstance(key, dict) and isinstance(key.get("kid"), str)}


class _KeysForTheValidator:
    """What `JwtTokenValidator` asks its key cache for (`get_signing_key(jwks_uri, header)`), answered
    from `SigningKeys`; the address the validator computes for the public cloud is not used."""

    def __init__(self, keys: SigningKeys) -> None:
        self.keys = keys

    async def get_signing_key(self, jwks_uri: str, header: dict[str, Any]) -> PyJWK:
        key = await self.keys.get(str(header.get("kid") or ""))
        if key is None:
            raise TokenRefused("no such signing key")
        return PyJWK(key, "RS256")


class TokenCheck:
    """Checks a request's token for an activity; see the module docstring."""

    def __init__(self, app_id: str, endpoints: BotEndpoints) -> None:
        self.issuer = endpoints.token_issuer
        self.keys = SigningKeys(endpoints.openid_metadata_url)
        configuration = AgentAuthConfiguration(
            client_id=app_id, issuers=[endpoints.token_issuer], validate_issuer=True
        )
        self._validator = JwtTokenValidator(configuration)
        # The SDK keeps its key cache in this attribute (class-wide by default); this validator's is ours.
        self._validator._jwk_client_manager = _KeysForTheValidator(self.keys)  # type: ignore[assignment]

    async def claims(self, authorization: str, activity: Activity) -> ClaimsIdentity:
        """The token's claims when it is good for this activity; `TokenRefused` or the SDK's error if not."""
        if not has_expiry(authorization):
            raise TokenRefused("no expiry")
        token = authorization.removeprefix("Bearer ")
        if decode(token, options={"verify_signature": False}).get("iss") != self.issuer:
            # Refused before any key is fetched for it; the SDK checks the signed claim again below.
            raise TokenRefused("another issuer")
        identity = await self._validator.validate_token(token)
        if identity.get_claim_value("serviceurl") != activity.service_url:
            raise TokenRefused("issued for another service URL")
        key = await self.keys.get(str(get_unverified_header(token).get("kid") or "")) or {}
        channel = activity.channel_id.channel if activity.channel_id else ""
        if channel and channel not in (key.get("endorsements") or []):
            raise TokenRefused(f"signing key not endorsed for {channel}")
        return identity
