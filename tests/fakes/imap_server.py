"""A real Dovecot IMAP server on 127.0.0.1, started per test from a generated config in a temporary folder.

Debian's `dovecot-imapd` provides the binary (`.ci/run` installs it). Without it the
tests skip, except under CI (env CI set), where a missing server is a failure.
One server runs per test module (Dovecot takes seconds to shut down); each test gets a
folder of its own, so tests never see each other's mail.
Root-safe: the mail processes run as `nobody`, Dovecot's own ones as its package users,
and everything lives in a world-traversable temporary folder (pytest's tmp_path is
private to root). Mail is delivered with IMAP APPEND, as any client would.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from imapclient import IMAPClient

from bot.config.inboxes import InboxConfig

USER = "support@tonewatch.test"
PASSWORD = "app-password-1234"
START_TIMEOUT = 20.0


def dovecot_binary() -> str | None:
    return shutil.which("dovecot") or next(
        (path for path in ("/usr/sbin/dovecot", "/usr/local/sbin/dovecot") if os.access(path, os.X_OK)), None
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _user_or(name: str, fallback: str) -> str:
    try:
        pwd.getpwnam(name)
        return name
    except KeyError:
        return fallback


class DovecotServer:
    def __init__(self, binary: str) -> None:
        self.binary = binary
        self.root = Path(tempfile.mkdtemp(prefix="tw-dovecot-"))
        self.root.chmod(0o755)
        self.port = _free_port()
        self.host = "127.0.0.1"
        #: IMAPS with a self-signed certificate made by openssl for 127.0.0.1 (None without openssl).
        self.cert_path = self.root / "cert.pem"
        self.tls_port = _free_port() if self._make_certificate() else None
        self.config_path = self.root / "dovecot.conf"
        #: The folder a test works in (`fresh_folder` gives each test its own).
        self.folder = "INBOX"
        self._folders = 0
        self._write_config()

    def _make_certificate(self) -> bool:
        openssl = shutil.which("openssl")
        if openssl is None:
            return False
        result = subprocess.run(
            [
                openssl,
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-keyout",
                str(self.root / "key.pem"),
                "-out",
                str(self.cert_path),
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
            ],
            capture_output=True,
            timeout=60,
        )
        return result.returncode == 0

    def _write_config(self) -> None:
        root = self.root
        (root / "mail").mkdir()
        (root / "run").mkdir()
        if os.geteuid() == 0:
            mail_user = pwd.getpwnam("nobody")
            internal = _user_or("dovecot", "nobody")
            login = _user_or("dovenull", "nobody")
            os.chown(root / "mail", mail_user.pw_uid, mail_user.pw_gid)
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            internal = login = mail_user.pw_name
        ssl = (
            f"ssl = yes\nssl_cert = <{self.cert_path}\nssl_key = <{root / 'key.pem'}"
            if self.tls_port is not None
            else "ssl = no"
        )
        (root / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        (root / "users").chmod(0o644)
        self.config_path.write_text(
            f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:{root}/mail/%u
first_valid_uid = 1
default_internal_user = {internal}
default_internal_group = {grp.getgrgid(pwd.getpwnam(internal).pw_gid).gr_name}
default_login_user = {login}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port or 0}
  }}
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
""".lstrip()
        )

    def _accepting(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=0.5):
                return True
        except OSError:
            return False

    def _log_tail(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else "(no log)"

    def _master_pid(self) -> int | None:
        pid_file = self.root / "run" / "master.pid"
        try:
            return int(pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def start(self) -> None:
        # The daemon keeps inherited descriptors open, so its output goes to a file, not a pipe.
        with open(self.root / "start.out", "wb") as out:
            result = subprocess.run(
                [self.binary, "-c", str(self.config_path)],
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=30,
            )
        if result.returncode != 0:
            output = (self.root / "start.out").read_text(errors="replace").strip()
            raise RuntimeError(f"dovecot did not start: {output}\n{self._log_tail()}")
        deadline = time.monotonic() + START_TIMEOUT
        while not self._accepting() or self._master_pid() is None:
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot is not accepting connections on {self.port}\n{self._log_tail()}")
            time.sleep(0.05)  # polling the port for readiness, not waiting for work

    def stop(self) -> None:
        pid = self._master_pid()
        subprocess.run(
            [self.binary, "-c", str(self.config_path), "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while (pid is not None and _alive(pid)) or self._accepting():
            if time.monotonic() > deadline:
                raise RuntimeError("dovecot did not stop")
            time.sleep(0.05)

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def running(self) -> bool:
        pid = self._master_pid()
        return pid is not None and _alive(pid)

    def cleanup(self) -> None:
        try:
            if self.running or self._accepting():
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def fresh_folder(self) -> str:
        """Create a new, empty folder and make it the default for `append`, `inbox` and friends."""
        self._folders += 1
        self.folder = f"Test{self._folders}"
        self.recreate_folder(self.folder)
        return self.folder

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=10)
        client.login(USER, PASSWORD)
        return client

    def append(self, raw: bytes, folder: str | None = None) -> None:
        folder = folder or self.folder
        client = self.client()
        try:
            if folder != "INBOX" and not client.folder_exists(folder):
                client.create_folder(folder)
            client.append(folder, raw)
        finally:
            client.logout()

    def recreate_folder(self, folder: str | None = None) -> None:
        """Delete and create the folder again: the server gives it a new UIDVALIDITY."""
        folder = folder or self.folder
        client = self.client()
        try:
            if client.folder_exists(folder):
                client.delete_folder(folder)
            client.create_folder(folder)
        finally:
            client.logout()

    def uidvalidity(self, folder: str | None = None) -> int:
        folder = folder or self.folder
        client = self.client()
        try:
            return int(client.folder_status(folder, [b"UIDVALIDITY"])[b"UIDVALIDITY"])
        finally:
            client.logout()

    def inbox(self, folder: str | None = None, **overrides) -> InboxConfig:
        folder = folder or self.folder
        fields = {
            "name": "test inbox",
            "host": self.host,
            "port": self.port,
            "tls": False,
            "user": USER,
            "password": PASSWORD,
            "folder": folder,
            "timeout_seconds": 10,
        }
        fields.update(overrides)
        return InboxConfig.model_validate(fields)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


@pytest.fixture(scope="module")
def dovecot_server() -> Iterator[DovecotServer]:
    binary = dovecot_binary()
    if binary is None:
        message = (
            "dovecot is not installed (apt-get install dovecot-imapd); IMAP inbox tests need a real server"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = DovecotServer(binary)
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def dovecot(dovecot_server: DovecotServer) -> DovecotServer:
    """The module's Dovecot, running, with an empty folder of this test's own."""
    if not dovecot_server.running:
        dovecot_server.start()  # an earlier test stopped it
    dovecot_server.fresh_folder()
    return dovecot_server
