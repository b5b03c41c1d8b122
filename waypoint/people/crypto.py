"""Field-level encryption (AES-256-GCM) and keyed blind indexes for personal data.

A stored value is `wpe1.<key id>.<base64url(nonce + ciphertext)>`: the key id travels with the
value, so several keys can be readable at once while `waypoint keys rotate` moves every value to
the active key, and no reader stops working in between. The associated data binds each value to
its place (table and column, or a document's id), so a ciphertext copied elsewhere fails to
decrypt. Keys come from settings (the environment or a key file), never from the database.

Files use the same layout with a binary body: `wpe1.<key id>.` followed by nonce + ciphertext.

A process that loaded its keys from the key file follows that file: when `waypoint keys` changes
it, every running process picks up the new keyring at its next encryption or decryption.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "wpe1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
# Longest key id accepted, so that a file header or a value prefix can be read in bounded size.
MAX_KEY_ID_LENGTH = 64
KEYS_ENV = "WAYPOINT_FIELD_KEYS"
KEYS_FILE_ENV = "WAYPOINT_FIELD_KEYS_FILE"

logger = logging.getLogger(__name__)


class DecryptionError(Exception):
    """A value could not be decrypted: unknown key id, wrong place, or tampered with."""


def _decode_key(value: object) -> bytes:
    return base64.b64decode(str(value), validate=True)


@dataclass(frozen=True)
class Keyring:
    active_id: str
    # Kept out of repr: a keyring in a log line or a debug page must not show key material.
    keys: dict[str, bytes] = field(repr=False)
    index_key: bytes = field(repr=False)

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> "Keyring":
        try:
            raw_keys = config["keys"]
            if not isinstance(raw_keys, Mapping):
                raise TypeError("keys must be an object")
            keys = {str(key_id): _decode_key(value) for key_id, value in raw_keys.items()}
            active = str(config["active"])
            index_key = _decode_key(config["index_key"])
        except (KeyError, ValueError, TypeError, binascii.Error) as error:
            raise ImproperlyConfigured(
                "The field-encryption keyring must be JSON with 'active', 'keys' "
                "(id → base64 32-byte key) and 'index_key'."
            ) from error
        if active not in keys:
            raise ImproperlyConfigured(f"The active field-encryption key {active!r} is missing.")
        if any(len(key) != KEY_BYTES for key in keys.values()) or len(index_key) < KEY_BYTES:
            raise ImproperlyConfigured("Field-encryption keys must be 32 bytes (AES-256).")
        if any(not _is_valid_key_id(key_id) for key_id in keys):
            raise ImproperlyConfigured(
                f"Key ids must be 1 to {MAX_KEY_ID_LENGTH} letters, digits, '-' or '_'."
            )
        return cls(active, keys, index_key)

    def to_config(self) -> dict[str, object]:
        """The JSON form of the key file (the inverse of `from_config`)."""
        return {
            "active": self.active_id,
            "keys": {key_id: base64.b64encode(key).decode() for key_id, key in self.keys.items()},
            "index_key": base64.b64encode(self.index_key).decode(),
        }

    def encrypt(self, plaintext: bytes, *, context: str) -> str:
        body = base64.urlsafe_b64encode(self._seal(plaintext, context)).decode()
        return f"{PREFIX}.{self.active_id}.{body}"

    def decrypt(self, token: str, *, context: str) -> bytes:
        parts = token.split(".", 2)
        if len(parts) != 3 or parts[0] != PREFIX:
            raise DecryptionError("not an encrypted value")
        try:
            # Strict decoding: a value with stray characters is not one we wrote.
            sealed = base64.b64decode(parts[2], altchars=b"-_", validate=True)
        except (binascii.Error, ValueError):
            raise DecryptionError("the value was altered or belongs elsewhere") from None
        return self._open(parts[1], sealed, context)

    def encrypt_bytes(self, plaintext: bytes, *, context: str) -> bytes:
        """Binary form for files: no base64, so large documents do not grow by a third."""
        return f"{PREFIX}.{self.active_id}.".encode() + self._seal(plaintext, context)

    def decrypt_bytes(self, data: bytes, *, context: str) -> bytes:
        parts = data.split(b".", 2)
        if len(parts) != 3 or parts[0] != PREFIX.encode():
            raise DecryptionError("not an encrypted file")
        return self._open(parts[1].decode("ascii", "replace"), parts[2], context)

    def blind_index(self, kind: str, value: str) -> str:
        """A keyed fingerprint for exact search: equal inputs match, nothing is revealed."""
        message = f"{kind}\x00{normalise(value)}".encode()
        return hmac.new(self.index_key, message, hashlib.sha256).hexdigest()

    def _seal(self, plaintext: bytes, context: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + AESGCM(self.keys[self.active_id]).encrypt(nonce, plaintext, context.encode())

    def _open(self, key_id: str, sealed: bytes, context: str) -> bytes:
        key = self.keys.get(key_id)
        if key is None:
            raise DecryptionError(f"unknown key id {key_id!r}")
        if len(sealed) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError("the value was altered or belongs elsewhere")
        try:
            return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode())
        except InvalidTag:
            raise DecryptionError("the value was altered or belongs elsewhere") from None


def _is_valid_key_id(key_id: str) -> bool:
    return 0 < len(key_id) <= MAX_KEY_ID_LENGTH and all(
        char.isascii() and (char.isalnum() or char in "-_") for char in key_id
    )


def key_id_of(token: str | bytes) -> str:
    """The key id of a stored value or file header; "" when it is not an encrypted value."""
    if isinstance(token, bytes):
        header = token[: len(PREFIX) + MAX_KEY_ID_LENGTH + 2].split(b".", 2)
        if len(header) == 3 and header[0] == PREFIX.encode():
            return header[1].decode("ascii", "replace")
        return ""
    parts = token.split(".", 2)
    return parts[1] if len(parts) == 3 and parts[0] == PREFIX else ""


def new_key_id(existing: set[str] | frozenset[str] = frozenset()) -> str:
    while True:
        key_id = "k" + secrets.token_hex(4)
        if key_id not in existing:
            return key_id


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


# Letters that Unicode does not decompose into a base letter and a mark, but which people
# routinely type without their stroke (Łódź as Lodz); ß folds to ss through casefold already.
_STROKED_LETTERS = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ı": "i", "ŀ": "l", "ƚ": "l"}
    | {"æ": "ae", "œ": "oe", "þ": "th", "ð": "d"}
)
# Hyphens and dashes separate parts of a name like a space does; apostrophes are often left out.
_SEPARATORS = str.maketrans(dict.fromkeys("-‐‑‒–—―", " ") | dict.fromkeys("'’‘ʼ`´", ""))


def normalise(value: str) -> str:
    """Case, accents, spacing, hyphens and Unicode forms must not defeat an exact search."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = stripped.translate(_STROKED_LETTERS).translate(_SEPARATORS)
    return " ".join(folded.split())


# --- Where the keys come from ---------------------------------------------------------------


def keyring_file() -> Path | None:
    """The key file, or None when the keys come from the WAYPOINT_FIELD_KEYS variable."""
    if os.environ.get(KEYS_ENV):
        return None
    return Path(os.environ.get(KEYS_FILE_ENV, settings.VAR_DIR / "field_keys.json"))


def read_keyring_file(path: Path) -> Keyring:
    try:
        config = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"Cannot read the field-encryption keyring {path}.") from error
    if not isinstance(config, dict):
        raise ImproperlyConfigured(f"The field-encryption keyring {path} is not a JSON object.")
    return Keyring.from_config(config)


FileStamp = tuple[int, int, int]


def _stamp(path: Path) -> FileStamp | None:
    try:
        status = path.stat()
    except OSError:
        return None
    # A new inode as well as a new time: key files are replaced atomically, never edited.
    return (status.st_ino, status.st_mtime_ns, status.st_size)


@dataclass(frozen=True)
class _Loaded:
    config: object = field(repr=False)  # the settings object this was built from
    keyring: Keyring
    followed_file: Path | None
    stamp: FileStamp | None


_loaded: _Loaded | None = None
_loading = threading.Lock()


def _load(config: Mapping[str, object]) -> _Loaded:
    configured = Keyring.from_config(config)
    path = keyring_file()
    stamp = _stamp(path) if path is not None else None
    if path is None or stamp is None:
        return _Loaded(config, configured, None, None)
    try:
        from_file = read_keyring_file(path)
    except ImproperlyConfigured:
        return _Loaded(config, configured, None, None)
    # Follow the file only when it is the configured keyring or a later version of it (the index
    # key is never rotated, so it names the lineage); a keyring set some other way (a test, a
    # one-off script) is used as given.
    if not hmac.compare_digest(from_file.index_key, configured.index_key):
        return _Loaded(config, configured, None, None)
    return _Loaded(config, from_file, path, stamp)


def _refreshed(loaded: _Loaded) -> _Loaded:
    assert loaded.followed_file is not None
    stamp = _stamp(loaded.followed_file)
    if stamp is None or stamp == loaded.stamp:
        return loaded
    try:
        return _Loaded(
            loaded.config, read_keyring_file(loaded.followed_file), loaded.followed_file, stamp
        )
    except ImproperlyConfigured:
        # A broken edit must not take the service down: keep the keys we have and say so.
        logger.exception(
            "The changed key file %s is unusable; keeping the previous keys.", loaded.followed_file
        )
        return _Loaded(loaded.config, loaded.keyring, loaded.followed_file, stamp)


def keyring() -> Keyring:
    global _loaded
    config = settings.FIELD_ENCRYPTION_KEYRING
    loaded = _loaded
    if loaded is not None and loaded.config is config:
        if loaded.followed_file is None:
            return loaded.keyring
        if _stamp(loaded.followed_file) == loaded.stamp:
            return loaded.keyring
    with _loading:
        loaded = _loaded
        if loaded is None or loaded.config is not config:
            loaded = _load(config)
        elif loaded.followed_file is not None:
            loaded = _refreshed(loaded)
        _loaded = loaded
        return loaded.keyring


def reload_keyring() -> Keyring:
    """Forget the cached keys and load them again (after the key file was changed)."""
    global _loaded
    with _loading:
        _loaded = None
    return keyring()
