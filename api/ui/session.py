"""The UI's login session: a cookie holding the API key's SHA-256 and the time it was issued, signed with
HMAC-SHA256. The key itself never leaves the login form. Revoking the key ends every session made with it,
because each request looks the hash up again; logging out ends that one session (``fapiao.service.sessions``
remembers it until it would have expired)."""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path

COOKIE = "fapiao_session"
MAX_AGE_S = 12 * 3600
"""A session lasts one working day; log in again after that."""
SECRET_FILE = "ui-secret"


@functools.cache
def load_secret(data_dir: Path) -> bytes:
    """The signing secret, generated once per data directory (mode 0600). Published atomically with a hard
    link, so processes starting together on a shared data directory all end up with the same secret."""
    path = data_dir / SECRET_FILE
    if not path.exists():
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process won the race; use its secret
        finally:
            tmp.unlink()
    return bytes.fromhex(path.read_text().strip())


def _mac(secret: bytes, payload: str) -> str:
    return hmac.new(secret, payload.encode(), hashlib.sha256).hexdigest()


def sign(secret: bytes, key_hash: str, now: float | None = None) -> str:
    """A new session: with a random nonce, so that two logins in the same second get different cookies (a
    logout revokes exactly its own)."""
    payload = f"v2.{key_hash}.{int(time.time() if now is None else now)}.{secrets.token_hex(8)}"
    return f"{payload}.{_mac(secret, payload)}"


def verify(secret: bytes, cookie: str | None, now: float | None = None) -> str | None:
    """The key hash carried by a genuine, unexpired cookie; ``None`` for anything else."""
    if not cookie or len(cookie) > 256:
        return None
    payload, _, mac = cookie.rpartition(".")
    parts = payload.split(".")
    if len(parts) != {"v1": 3, "v2": 4}.get(parts[0]) or not parts[2].isdigit():
        return None
    if not hmac.compare_digest(mac, _mac(secret, payload)):
        return None
    age = (time.time() if now is None else now) - int(parts[2])
    if not -60 <= age <= MAX_AGE_S:  # a minute of clock skew between workers
        return None
    return parts[1]


def issued_at(cookie: str) -> int:
    """When a cookie that ``verify`` accepted was issued (seconds since the epoch)."""
    return int(cookie.rpartition(".")[0].split(".")[2])
