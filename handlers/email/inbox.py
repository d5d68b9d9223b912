"""Connected IMAP inboxes → stored customer messages.

Each inbox is read read-only (EXAMINE, BODY.PEEK): nothing is marked read,
moved or answered, and nothing is ever sent to a customer. A poll resumes
after the last UID seen under the mailbox's UIDVALIDITY; a new UIDVALIDITY
(the mailbox was recreated) means reading it again from the start, and the
Message-ID (the stored message's external id) keeps that from storing
anything twice — also when one mail reaches two watched inboxes.

Only the first `max_fetch_bytes` of a message are fetched: the text comes
before attachments in practically every mail, so a 20 MB attachment is never
downloaded. IMAPClient is blocking; `InboxPoller.poll` runs in a thread.
"""

from __future__ import annotations

import logging
import os
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from imapclient import IMAPClient
from imapclient.imapclient import SocketTimeout

from bot.config.inboxes import InboxConfig
from bot.messages.inbound import stable_external_id
from bot.messages.pipeline import MessagePipeline
from handlers.email.parse import ParsedEmail, normalize_id, parse_email
from handlers.email.senders import AccountDirectory
from storage.db import Engine
from storage.inbound import InboundMessage, SourceKind
from storage.inbox_state import claim_inbox, record_failure, record_success, save_progress
from storage.queries import stored_thread_key, thread_account_name

log = logging.getLogger(__name__)

PLATFORM = "email"
#: Every inbox shares one place, so a mail sent to two watched inboxes is one message, and a reply read
#: from a "Sent" folder answers the customer's mail read from the inbox.
EMAIL_PLACE = "mail"
#: Fetch at most this much of one message (its text; attachments beyond are never downloaded).
MAX_FETCH_BYTES = 1_000_000
#: Messages fetched per IMAP round trip; progress is saved after each.
FETCH_CHUNK = 25
#: Messages read per poll at most (a large backlog is read over several polls).
MAX_MESSAGES_PER_POLL = 500
#: A Date header further ahead of the server's arrival time than this is not believed.
CLOCK_SKEW = timedelta(days=1)


@dataclass(frozen=True)
class FetchedMail:
    uid: int
    raw: bytes
    arrived_at: datetime | None
    size: int


@dataclass
class PollResult:
    inbox: str
    status: str  # "ok" | "failed" | "not_due"
    read: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0
    error: str | None = None
    uidvalidity_changed: bool = False
    more: bool = False
    message_ids: list[int] = field(default_factory=list)


def _ssl_context(config: InboxConfig) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=config.ca_file)
    if not config.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class ImapMailbox:
    """One open, examined (read-only) IMAP folder."""

    def __init__(self, client: IMAPClient, uidvalidity: int) -> None:
        self.client = client
        self.uidvalidity = uidvalidity

    def uids_after(self, last_uid: int) -> list[int]:
        # "N:*" also matches the highest UID when it is below N, so filter again.
        return sorted(uid for uid in self.client.search(["UID", f"{last_uid + 1}:*"]) if uid > last_uid)

    def fetch(self, uids: list[int], max_bytes: int) -> list[FetchedMail]:
        body_key = f"BODY.PEEK[]<0.{max_bytes}>"
        response = self.client.fetch(uids, ["RFC822.SIZE", "INTERNALDATE", body_key])
        mails = []
        for uid in uids:
            item = response.get(uid)
            if item is None:
                continue  # expunged meanwhile
            raw = item.get(b"BODY[]<0>") or item.get(b"BODY[]") or b""
            arrived = item.get(b"INTERNALDATE")
            if isinstance(arrived, datetime) and arrived.tzinfo is None:
                arrived = arrived.replace(tzinfo=UTC)
            mails.append(
                FetchedMail(
                    uid,
                    bytes(raw),
                    arrived if isinstance(arrived, datetime) else None,
                    int(item.get(b"RFC822.SIZE") or len(raw)),
                )
            )
        return mails


@contextmanager
def open_mailbox(config: InboxConfig) -> Iterator[ImapMailbox]:
    """Connect, log in and examine the folder; always logs out."""
    timeout = SocketTimeout(connect=config.timeout_seconds, read=config.timeout_seconds)
    context = _ssl_context(config) if config.tls or config.starttls else None
    client = IMAPClient(
        config.host, port=config.effective_port, ssl=config.tls, ssl_context=context, timeout=timeout
    )
    client.normalise_times = False  # keep INTERNALDATE's zone instead of local naive time
    try:
        if config.starttls:
            client.starttls(context)
        client.login(config.user, config.secret())
        info = client.select_folder(config.folder, readonly=True)
        yield ImapMailbox(client, int(info[b"UIDVALIDITY"]))
    finally:
        try:
            client.logout()
        except Exception:  # noqa: BLE001 - the connection may already be gone; nothing to close then
            log.debug("IMAP logout from %s failed", config.host, exc_info=True)


def describe_error(exc: BaseException) -> str:
    """A short, secret-free description of why an inbox could not be read."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    text = str(exc).strip() or type(exc).__name__
    if text.startswith("b'") or text.startswith('b"'):
        text = text[2:-1]
    return f"{type(exc).__name__}: {text}"[:500]


@dataclass(frozen=True)
class MailReading:
    """What Tonewatch takes from one mail: who speaks, and the text that is stored and scored."""

    author_name: str
    author_address: str
    is_customer: bool
    #: The original sender when a colleague forwarded a customer's mail (then the author).
    forwarded_from: str | None
    text: str

    @property
    def author(self) -> str:
        return f"{self.author_name} <{self.author_address}>" if self.author_name else self.author_address


def read_mail(mail: ParsedEmail, directory: AccountDirectory, max_text_chars: int) -> MailReading | None:
    """The reading the inbox stores, or None for mail no person wrote (or with nothing to read).

    Needs no database: `tonewatch email-preview` shows exactly this.
    """
    if mail.automated or not mail.sender_address:
        return None
    staff = directory.is_staff(mail.sender_address)
    forwarded = mail.forwarded_sender
    forwarded_customer = staff and forwarded is not None and directory.is_customer_address(forwarded)
    if forwarded_customer and forwarded is not None:
        # A colleague forwarded a customer's mail to the inbox: the customer is the one speaking.
        author_address, author_name, is_customer = forwarded, mail.forwarded_sender_name, True
    else:
        author_address, author_name, is_customer = mail.sender_address, mail.sender_name, not staff
    text = mail.text(max_text_chars, forwarded_only=forwarded_customer)
    if not text.strip():
        return None
    return MailReading(author_name, author_address, is_customer, forwarded, text)


class MailConverter:
    """A parsed mail → the InboundMessage the core stores (or None for mail no person wrote)."""

    def __init__(self, engine: Engine, directory: AccountDirectory, max_text_chars: int) -> None:
        self.engine = engine
        self.directory = directory
        self.max_text_chars = max_text_chars

    def convert(self, mail: ParsedEmail, arrived_at: datetime | None, now: datetime) -> InboundMessage | None:
        reading = read_mail(mail, self.directory, self.max_text_chars)
        if reading is None:
            return None
        created_at = self._created_at(mail, arrived_at, now)
        external_id = mail.message_id or stable_external_id(
            PLATFORM, mail.sender_address, mail.subject, created_at.isoformat(), mail.body[:2000]
        )
        thread_key = self._thread_key(mail, external_id)
        account = self._account(reading.author_address, reading.is_customer, mail, thread_key)
        return InboundMessage(
            platform=PLATFORM,
            external_id=external_id,
            text=reading.text,
            created_at=created_at,
            account=account,
            place_key=EMAIL_PLACE,
            source_kind=SourceKind.email,
            author=reading.author[:300],
            author_email=reading.author_address[:300],
            is_customer=reading.is_customer,
            thread_key=thread_key,
        )

    @staticmethod
    def _created_at(mail: ParsedEmail, arrived_at: datetime | None, now: datetime) -> datetime:
        limit = (arrived_at or now) + CLOCK_SKEW
        if mail.sent_at is not None and mail.sent_at <= limit:
            return mail.sent_at
        return arrived_at or now

    def _thread_key(self, mail: ParsedEmail, external_id: str) -> str:
        """The thread's first message id; a parent already stored lends its own thread."""
        if mail.references:
            return mail.references[0]
        if mail.in_reply_to:
            parent = stored_thread_key(self.engine, PLATFORM, EMAIL_PLACE, mail.in_reply_to)
            return parent or mail.in_reply_to
        return normalize_id(external_id) or external_id

    def _account(self, address: str, is_customer: bool, mail: ParsedEmail, thread_key: str) -> str | None:
        if is_customer:
            name = self.directory.account_name(address)
            if name is not None:
                self.directory.remember(name, address)
                return name
        else:
            # Our own mail is about the customer it is sent to.
            for recipient in mail.recipients:
                if self.directory.is_customer_address(recipient):
                    name = self.directory.account_name(recipient)
                    if name is not None:
                        return name
        return self._thread_account(thread_key)

    def _thread_account(self, thread_key: str) -> str | None:
        return thread_account_name(self.engine, PLATFORM, thread_key)


class InboxPoller:
    """Reads new mail from one inbox into the pipeline; blocking (run it in a thread)."""

    def __init__(
        self,
        engine: Engine,
        pipeline: MessagePipeline,
        converter: MailConverter,
        *,
        retry_base_seconds: float = 60.0,
        max_fetch_bytes: int = MAX_FETCH_BYTES,
        max_messages: int = MAX_MESSAGES_PER_POLL,
        worker: str | None = None,
    ) -> None:
        self.engine = engine
        self.pipeline = pipeline
        self.converter = converter
        self.retry_base_seconds = retry_base_seconds
        self.max_fetch_bytes = max_fetch_bytes
        self.max_messages = max_messages
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def poll(self, config: InboxConfig, now: datetime) -> PollResult:
        """Poll one inbox if it is due; a failure is recorded with its backoff, never raised."""
        result = PollResult(inbox=config.label, status="not_due")
        cursor = claim_inbox(self.engine, config.key, self.worker, now)
        if cursor is None:
            return result
        try:
            self._read(config, cursor.uidvalidity, cursor.last_uid, now, result)
        except Exception as exc:  # noqa: BLE001 - an unreachable inbox must not stop the others
            result.status, result.error = "failed", describe_error(exc)
            status = record_failure(
                self.engine, config.key, self.worker, result.error, now, self.retry_base_seconds
            )
            if status is not None:
                level = logging.ERROR if status.failures in (3, 10) else logging.WARNING
                log.log(
                    level,
                    "inbox %s could not be read (%s failures in a row): %s; next try at %s",
                    config.label,
                    status.failures,
                    result.error,
                    status.next_attempt_at.isoformat() if status.next_attempt_at else "?",
                    exc_info=log.isEnabledFor(logging.DEBUG),
                )
            return result
        result.status = "ok"
        record_success(self.engine, config.key, self.worker, now)
        return result

    def _read(
        self, config: InboxConfig, uidvalidity: int | None, last_uid: int, now: datetime, result: PollResult
    ) -> None:
        with open_mailbox(config) as mailbox:
            if uidvalidity is not None and mailbox.uidvalidity != uidvalidity:
                log.info(
                    "inbox %s was recreated (UIDVALIDITY %s → %s); reading it again, duplicates are skipped",
                    config.label,
                    uidvalidity,
                    mailbox.uidvalidity,
                )
                result.uidvalidity_changed = True
            if mailbox.uidvalidity != uidvalidity:
                last_uid = 0
            uids = mailbox.uids_after(last_uid)
            result.more = len(uids) > self.max_messages
            uids = uids[: self.max_messages]
            self.converter.directory.refresh()
            if not uids:
                save_progress(self.engine, config.key, self.worker, mailbox.uidvalidity, last_uid, 0)
            for start in range(0, len(uids), FETCH_CHUNK):
                chunk = uids[start : start + FETCH_CHUNK]
                stored = self._store(mailbox.fetch(chunk, self.max_fetch_bytes), now, config, result)
                save_progress(self.engine, config.key, self.worker, mailbox.uidvalidity, chunk[-1], stored)

    def _store(self, mails: list[FetchedMail], now: datetime, config: InboxConfig, result: PollResult) -> int:
        new = 0
        for mail in mails:
            result.read += 1
            try:
                inbound = self.converter.convert(parse_email(mail.raw), mail.arrived_at, now)
            except Exception:  # noqa: BLE001 - one unreadable mail must not block the inbox
                log.warning("inbox %s: skipped unreadable mail UID %s", config.label, mail.uid, exc_info=True)
                inbound = None
            if inbound is None:
                result.skipped += 1
                continue
            stored = self.pipeline.store(inbound)  # a database error propagates: progress is not saved
            if stored.created:
                new += 1
                result.stored += 1
                result.message_ids.append(stored.id)
            else:
                result.duplicates += 1
        return new
