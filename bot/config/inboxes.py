"""Connected inboxes (TONEWATCH_INBOXES): what each IMAP inbox is and how to reach it.

The setting holds a JSON list of inbox objects, or the path of a JSON or YAML
file with that list (or with `{"inboxes": [...]}`). A password is given inline
or, better in a file, as `password_env`: the name of an environment variable
that holds it. Problems are reported per inbox, naming the field.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

IMAPS_PORT = 993
IMAP_PORT = 143


class InboxConfig(BaseModel):
    """One IMAP inbox. Polled read-only: nothing is marked read, moved or sent."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    #: A label for logs and status; defaults to user@host/folder.
    name: str = Field("", max_length=100)
    host: str = Field(min_length=1, max_length=255)
    #: Defaults to 993 with `tls`, else 143.
    port: int | None = Field(None, ge=1, le=65535)
    #: Implicit TLS (IMAPS). With `tls: false`, set `starttls: true` unless the server is on loopback.
    tls: bool = True
    starttls: bool = False
    #: Check the server's certificate (turn off only for a self-signed test server).
    verify_tls: bool = True
    #: A CA bundle for a private certificate authority.
    ca_file: str | None = None
    user: str = Field(min_length=1, max_length=300)
    #: The password or app password (Gmail, Microsoft 365 and iCloud need an app password).
    password: SecretStr | None = None
    #: Or the name of an environment variable that holds it.
    password_env: str | None = None
    folder: str = Field("INBOX", min_length=1, max_length=300)
    #: Allow a password over an unencrypted connection to a host other than this machine.
    allow_plaintext: bool = False
    timeout_seconds: float = Field(30.0, gt=0, le=600)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if "://" in value or "/" in value or " " in value:
            raise ValueError("give the host name only, e.g. imap.example.com")
        return value.lower()

    @model_validator(mode="after")
    def _password_and_tls(self) -> InboxConfig:
        if (self.password is None) == (self.password_env is None):
            raise ValueError("give exactly one of password or password_env")
        if self.password_env is not None and not os.environ.get(self.password_env):
            raise ValueError(f"password_env: environment variable {self.password_env} is not set")
        if self.tls and self.starttls:
            raise ValueError("tls (implicit TLS, port 993) and starttls (port 143) exclude each other")
        loopback = self.host in ("localhost", "127.0.0.1", "::1")
        if not self.tls and not self.starttls and not loopback and not self.allow_plaintext:
            raise ValueError(
                "the password would cross the network unencrypted: set tls or starttls "
                "(or allow_plaintext: true if you really mean it)"
            )
        return self

    @property
    def effective_port(self) -> int:
        return self.port or (IMAPS_PORT if self.tls else IMAP_PORT)

    @property
    def key(self) -> str:
        """The inbox's identity in stored state: the same mailbox keeps its key across renames."""
        return f"{self.user}@{self.host}:{self.effective_port}/{self.folder}"[:300]

    @property
    def label(self) -> str:
        return self.name or f"{self.user}@{self.host}/{self.folder}"

    def secret(self) -> str:
        if self.password is not None:
            return self.password.get_secret_value()
        return os.environ.get(self.password_env or "", "")


def _load_inbox_document(value: str) -> Any:
    text = value.strip()
    if text.startswith(("[", "{")):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})") from None
    path = Path(text).expanduser()
    if not path.is_file():
        raise ValueError(f"give a JSON list of inboxes or the path of a JSON/YAML file; {text!r} is neither")
    content = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            return yaml.safe_load(content)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({_yaml_problem(exc)})") from None
    try:
        return json.loads(content)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not valid JSON ({exc.msg}, line {exc.lineno})") from None


def _yaml_problem(exc: Exception) -> str:
    """What PyYAML found and where, without its excerpt of the file: that line may hold a password."""
    parts = []
    for text, mark in (
        (getattr(exc, "context", None), getattr(exc, "context_mark", None)),
        (getattr(exc, "problem", None), getattr(exc, "problem_mark", None)),
    ):
        if text:
            parts.append(f"{text} at line {mark.line + 1} column {mark.column + 1}" if mark else str(text))
    return "; ".join(parts) or "syntax error"


def parse_inboxes(value: object) -> list[InboxConfig]:
    """The inbox list from the setting's value, or ValueError naming the inbox and field at fault."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return []
    document = _load_inbox_document(value) if isinstance(value, str) else value
    if isinstance(document, dict) and "inboxes" in document:
        document = document["inboxes"]
    if isinstance(document, dict):
        document = [document]
    if not isinstance(document, list):
        raise ValueError("must be a list of inbox objects")
    inboxes: list[InboxConfig] = []
    for number, item in enumerate(document, start=1):
        if isinstance(item, InboxConfig):
            inboxes.append(item)
            continue
        try:
            inboxes.append(InboxConfig.model_validate(item))
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(part) for part in err['loc']) or 'inbox'}: "
                f"{str(err['msg']).removeprefix('Value error, ')}"
                for err in exc.errors()
            )
            raise ValueError(f"inbox {number}: {problems}") from None
    keys = [inbox.key for inbox in inboxes]
    duplicates = sorted({key for key in keys if keys.count(key) > 1})
    if duplicates:
        raise ValueError(f"the same inbox is listed twice: {', '.join(duplicates)}")
    return inboxes


def parse_domain_list(value: object) -> tuple[str, ...]:
    """ "example.com, example.io" → ("example.com", "example.io"), or ValueError for a non-domain."""
    if value is None:
        return ()
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    domains: list[str] = []
    for item in items:
        domain = str(item).strip().lower().lstrip("@")
        if not domain:
            continue
        if "." not in domain or " " in domain or "@" in domain or "/" in domain:
            raise ValueError(f"{domain!r} is not a mail domain like example.com")
        domains.append(domain)
    return tuple(dict.fromkeys(domains))


def parse_domain_accounts(value: object) -> dict[str, str]:
    """'{"acme.com": "ACME Corp", "cfo@gmail.com": "ACME Corp"}' → a lower-cased domain/address map."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f'not valid JSON ({exc.msg}); expected {{"acme.com": "ACME"}}') from None
    if not isinstance(value, dict):
        raise ValueError('must be a JSON map of domain → account name, like {"acme.com": "ACME"}')
    mapping: dict[str, str] = {}
    for key, name in value.items():
        domain = str(key).strip().lower().lstrip("@")
        account = " ".join(str(name or "").split())
        if not domain or "." not in domain:
            raise ValueError(f"{key!r} is not a domain or address")
        if not account:
            raise ValueError(f"{key!r} maps to an empty account name")
        mapping[domain] = account
    return mapping
