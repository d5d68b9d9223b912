"""Secrets at rest: workspace tokens encrypted with Fernet (the `cryptography` package).

`TONEWATCH_SECRET_KEY` (or `TONEWATCH_SECRET_KEY_FILE`) holds one or more Fernet keys, comma-separated.
The first encrypts; every one decrypts (MultiFernet), so keys rotate without downtime:

1. put the new key first, the old one after it, and restart;
2. run `tonewatch secrets rotate` (every stored token re-encrypted with the new key);
3. drop the old key.

A stored value is `fernet:<token>`; a value without the prefix is a token stored before encryption
was configured, read as it is and encrypted by the next `tonewatch secrets rotate`.
"""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from storage.errors import ConfigError, UserError

PREFIX = "fernet:"


def new_key() -> str:
    """A fresh Fernet key (what `tonewatch secrets new-key` prints)."""
    return Fernet.generate_key().decode()


class UnreadableSecret(UserError):
    """A stored secret none of the configured keys opens (a key removed before rotating)."""


class SecretBox:
    """Encrypts and decrypts stored secrets with the configured keys (the first one encrypts)."""

    def __init__(self, keys: str) -> None:
        parts = [part.strip() for part in keys.split(",") if part.strip()]
        if not parts:
            raise ConfigError("TONEWATCH_SECRET_KEY is empty")
        try:
            self._fernet = MultiFernet([Fernet(part.encode()) for part in parts])
        except (ValueError, TypeError):
            raise ConfigError(
                "TONEWATCH_SECRET_KEY must be Fernet keys (32 url-safe base64 bytes each, comma-separated); "
                "make one with: tonewatch secrets new-key"
            ) from None

    @staticmethod
    def is_encrypted(value: str | None) -> bool:
        return bool(value) and value.startswith(PREFIX)

    def seal(self, value: str | None) -> str | None:
        if value is None or value == "" or self.is_encrypted(value):
            return value
        return PREFIX + self._fernet.encrypt(value.encode()).decode()

    def open(self, value: str | None) -> str | None:
        if not self.is_encrypted(value):
            return value  # stored before encryption was configured
        assert value is not None
        try:
            return self._fernet.decrypt(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise UnreadableSecret(
                "a stored workspace token opens with none of the keys in TONEWATCH_SECRET_KEY "
                "(was a key removed before `tonewatch secrets rotate`?)"
            ) from None

    def reseal(self, value: str | None) -> str | None:
        """`value` encrypted with the first key (from an older key, or from plain text)."""
        if value is None or value == "":
            return value
        if not self.is_encrypted(value):
            return self.seal(value)
        try:
            return PREFIX + self._fernet.rotate(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise UnreadableSecret(
                "a stored workspace token opens with none of the keys in TONEWATCH_SECRET_KEY; "
                "put the key it was encrypted with after the new one and run this again"
            ) from None
