"""A throwaway Dovecot IMAP server on 127.0.0.1 for the sync tests.

Its own configuration, run and state folders under a temporary folder, a passwd-file with
test users, plain IMAP on a free high port (SSL off: nothing leaves the machine). Each user's
home holds a Maildir built by the test with the `mailbox` module.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Debian installs the daemon outside a normal user's PATH.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
# A folder Dovecot flags \Sent (RFC 6154) whose name no list of sent-folder names has.
SPECIAL_USE_SENT = "Outbox Archive"


def find_dovecot() -> str | None:
    return shutil.which("dovecot", path=_SEARCH_PATH)


@dataclass(frozen=True)
class Dovecot:
    host: str
    port: int
    root: Path
    mail_owner: tuple[int, int]  # uid, gid the users' mail belongs to

    def home(self, user: str) -> Path:
        return self.root / "home" / user

    def hand_over(self, user: str) -> None:
        """Give a user's home (built by the test) to the mail owner Dovecot runs as."""
        uid, gid = self.mail_owner
        if (uid, gid) == (os.getuid(), os.getgid()):
            return
        for folder, folders, files in os.walk(self.home(user)):
            os.chown(folder, uid, gid)
            for name in (*folders, *files):
                os.chown(os.path.join(folder, name), uid, gid)

    def log(self) -> str:
        path = self.root / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _mail_owner() -> tuple[int, int]:
    """Dovecot never gives mail to uid 0: as root, the mail belongs to nobody:nogroup."""
    if os.getuid() != 0:
        return os.getuid(), os.getgid()
    import pwd

    nobody = pwd.getpwnam("nobody")
    return nobody.pw_uid, nobody.pw_gid


def _config(root: Path, port: int) -> str:
    uid, gid = _mail_owner()
    if os.getuid() == 0:
        # As root, Dovecot runs its helpers as the unprivileged users its package made.
        users = "default_internal_user = dovecot\ndefault_login_user = dovenull\n"
    else:
        import grp
        import pwd

        user, group = pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(gid).gr_name
        users = (
            f"default_internal_user = {user}\ndefault_internal_group = {group}\n"
            f"default_login_user = {user}\n"
        )
    return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
instance_name = followup-test-{port}
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {min(uid, 500)}
first_valid_gid = {min(gid, 100)}
{users}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox "{SPECIAL_USE_SENT}" {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
"""


@contextmanager
def running_dovecot(binary: str, users: dict[str, str]) -> Iterator[Dovecot]:
    """Start Dovecot in the foreground with `users` (name -> password); stop it after and
    remove its folder. The folder is made in the system's temporary folder rather than
    pytest's: as root, Dovecot's helpers run as its own users, who cannot enter pytest's
    private (mode 700) folders."""
    root = Path(tempfile.mkdtemp(prefix="followup-dovecot-"))
    try:
        with _started(binary, root, users) as server:
            yield server
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def _started(binary: str, root: Path, users: dict[str, str]) -> Iterator[Dovecot]:
    for folder in ("run", "state", "home"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)  # the login helpers run as another user when we are root
    (root / "passwd").write_text(
        "".join(f"{name}:{{PLAIN}}{password}::::::\n" for name, password in users.items())
    )
    port = _free_port()
    config = root / "dovecot.conf"
    config.write_text(_config(root, port))
    process = subprocess.Popen(
        [binary, "-F", "-c", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for(port, process, root)
        yield Dovecot("127.0.0.1", port, root, _mail_owner())
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes], root: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode(errors="replace") if process.stdout else ""
            log = (
                (root / "dovecot.log").read_text(errors="replace")
                if (root / "dovecot.log").exists()
                else ""
            )
            raise RuntimeError(f"dovecot exited ({process.returncode}): {output} {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
                if connection.recv(100).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"dovecot did not answer on port {port} within 20 s")
