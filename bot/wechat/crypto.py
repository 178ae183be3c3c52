"""WeChat Official Account message security: the sha1 signatures and the AES "safe mode" envelope."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32-byte blocks (PKCS#7 with k = 32)


class CryptoError(Exception):
    """A message that does not decrypt, or was meant for another app."""


def signature(*parts: str) -> str:
    """sha1 of the sorted parts joined: token+timestamp+nonce (and the Encrypt text for msg_signature)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def check_signature(expected: str | None, *parts: str) -> bool:
    return bool(expected) and hmac.compare_digest(signature(*parts), expected or "")


def _key(aes_key: str) -> bytes:
    key = base64.b64decode(aes_key + "=")
    if len(key) != 32:
        raise CryptoError("EncodingAESKey must decode to 32 bytes")
    return key


def pad(data: bytes) -> bytes:
    n = BLOCK - len(data) % BLOCK
    return data + bytes([n]) * n


def unpad(data: bytes) -> bytes:
    n = data[-1] if data else 0
    if not 1 <= n <= BLOCK or data[-n:] != bytes([n]) * n:
        raise CryptoError("bad padding")
    return data[:-n]


def encrypt(plain: str, *, aes_key: str, app_id: str, random_prefix: bytes | None = None) -> str:
    """The Encrypt text: base64(AES-256-CBC(random16 + len + message + appid)), IV = first 16 key bytes."""
    key = _key(aes_key)
    body = plain.encode()
    prefix = random_prefix if random_prefix is not None else os.urandom(16)
    raw = pad(prefix + struct.pack(">I", len(body)) + body + app_id.encode())
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(raw) + encryptor.finalize()).decode()


def decrypt(encrypted: str, *, aes_key: str, app_id: str) -> str:
    """The message inside an Encrypt text; raises CryptoError when it is not for this app."""
    key = _key(aes_key)
    try:
        data = base64.b64decode(encrypted)
        decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
        raw = unpad(decryptor.update(data) + decryptor.finalize())
    except (ValueError, IndexError) as exc:
        raise CryptoError(str(exc)) from exc
    length = struct.unpack(">I", raw[16:20])[0]
    message, appid = raw[20 : 20 + length], raw[20 + length :]
    if appid.decode(errors="replace") != app_id:
        raise CryptoError("message for another app")
    return message.decode()
