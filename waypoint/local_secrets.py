"""Create the local secret files that a developer machine needs, without Django.

`make run` and `make test` call `python -m waypoint.local_secrets var` so that a fresh clone
works; production supplies its own secrets through the environment or mounted files.
"""

import base64
import json
import os
import secrets
import sys
from pathlib import Path


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(text)


def new_field_keyring() -> dict[str, object]:
    key_id = "k" + secrets.token_hex(4)
    return {
        "active": key_id,
        "keys": {key_id: base64.b64encode(secrets.token_bytes(32)).decode()},
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }


def ensure_local_secrets(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    created = []
    secret_key = directory / "secret_key"
    if not secret_key.exists():
        _write_private(secret_key, secrets.token_urlsafe(50))
        created.append(secret_key)
    keyring = directory / "field_keys.json"
    if not keyring.exists():
        _write_private(keyring, json.dumps(new_field_keyring(), indent=2))
        created.append(keyring)
    return created


if __name__ == "__main__":
    for path in ensure_local_secrets(Path(sys.argv[1] if len(sys.argv) > 1 else "var")):
        print(f"Created local secret {path} (never commit it).")
