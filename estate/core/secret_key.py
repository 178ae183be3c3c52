"""The installation's secret key (signs console sessions): the operator's, or one generated on first start
and kept in the data folder — never a known default (DESIGN §7)."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

MIN_SECRET_KEY = 32
KEY_FILE = "secret_key"


def generated_secret_key(data_dir: Path) -> str:
    """The installation's generated key from `data_dir/secret_key`, created (mode 0600) on first use."""
    path = data_dir / KEY_FILE
    try:
        if not path.exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            # Write a private temporary file, then link it into place: two processes starting at once
            # agree on one key, and nobody ever reads a half-written file.
            tmp = data_dir / f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(secrets.token_urlsafe(48) + "\n")
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        key = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ValueError(f"unset, and the generated key file {path} cannot be used: {exc.strerror}")
    if len(key) < MIN_SECRET_KEY:
        raise ValueError(f"unset, and the generated key file {path} is damaged (remove it to make a new key)")
    return key


def checked_secret_key(value: str, data_dir: Path | None) -> str:
    """The operator's key when long enough, else the generated one; ValueError says what is wrong."""
    if value:
        if len(value) < MIN_SECRET_KEY:
            raise ValueError(
                f"must be at least {MIN_SECRET_KEY} characters (or unset it to use a generated key)"
            )
        return value
    if data_dir is None:  # data_dir itself was invalid and is reported on its own
        return value
    return generated_secret_key(Path(data_dir))
