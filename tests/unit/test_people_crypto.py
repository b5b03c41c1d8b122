"""Field encryption and blind indexes: what must fail does fail, what must match does match."""

import base64
import json
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from waypoint.people import crypto
from waypoint.people.crypto import DecryptionError, Keyring, key_id_of, normalise


def config(active: str = "ka", keys: tuple[str, ...] = ("ka",), seed: int = 1) -> dict[str, object]:
    return {
        "active": active,
        "keys": {
            key_id: base64.b64encode(bytes([seed + n]) * 32).decode()
            for n, key_id in enumerate(keys)
        },
        "index_key": base64.b64encode(bytes([seed + 100]) * 32).decode(),
    }


@pytest.fixture
def ring() -> Keyring:
    return Keyring.from_config(config())


def test_round_trip_and_format(ring: Keyring) -> None:
    token = ring.encrypt(b"Olena Kovalenko", context="people_person.given_names")
    prefix, key_id, body = token.split(".", 2)
    assert (prefix, key_id) == ("wpe1", "ka")
    assert "Olena" not in token
    assert body.isascii()
    assert ring.decrypt(token, context="people_person.given_names") == b"Olena Kovalenko"
    assert key_id_of(token) == "ka"


def test_the_same_value_encrypts_differently_each_time(ring: Keyring) -> None:
    assert ring.encrypt(b"x", context="t.c") != ring.encrypt(b"x", context="t.c")


@pytest.mark.parametrize("position", [5, 10, 20, -3, -1])
def test_a_tampered_value_is_refused(ring: Keyring, position: int) -> None:
    token = ring.encrypt(b"1990-04-01", context="t.c")
    body = bytearray(base64.urlsafe_b64decode(token.split(".", 2)[2]))
    body[position] ^= 0x01
    tampered = "wpe1.ka." + base64.urlsafe_b64encode(bytes(body)).decode()
    with pytest.raises(DecryptionError, match="altered"):
        ring.decrypt(tampered, context="t.c")


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t[:-4],  # truncated
        lambda t: t + "!",  # stray character
        lambda t: t.replace("wpe1.", "wpe2.", 1),  # unknown format
        lambda t: "wpe1.ka." + base64.urlsafe_b64encode(b"short").decode(),  # too short
        lambda t: "plain text",
    ],
)
def test_a_malformed_value_is_refused(ring: Keyring, mangle: Callable[[str], str]) -> None:
    token = ring.encrypt(b"secret", context="t.c")
    with pytest.raises(DecryptionError):
        ring.decrypt(mangle(token), context="t.c")


def test_a_value_copied_to_another_place_does_not_decrypt(ring: Keyring) -> None:
    token = ring.encrypt(b"+48600100200", context="people_person.phone")
    with pytest.raises(DecryptionError, match="belongs elsewhere"):
        ring.decrypt(token, context="people_person.email")
    sealed = ring.encrypt_bytes(b"%PDF", context="document:a")
    with pytest.raises(DecryptionError):
        ring.decrypt_bytes(sealed, context="document:b")


def test_an_unknown_key_id_is_refused(ring: Keyring) -> None:
    token = ring.encrypt(b"x", context="t.c")
    with pytest.raises(DecryptionError, match="unknown key id 'kz'"):
        ring.decrypt(token.replace(".ka.", ".kz.", 1), context="t.c")
    other = Keyring.from_config(config(active="kb", keys=("kb",), seed=50))
    with pytest.raises(DecryptionError, match="unknown key id"):
        other.decrypt(token, context="t.c")


def test_the_same_key_id_with_another_key_fails(ring: Keyring) -> None:
    impostor = Keyring.from_config(config(seed=77))
    with pytest.raises(DecryptionError, match="altered"):
        impostor.decrypt(ring.encrypt(b"x", context="t.c"), context="t.c")


def test_after_rotation_old_and_new_values_both_read() -> None:
    old = Keyring.from_config(config())
    both = Keyring.from_config(config(active="kb", keys=("ka", "kb")))
    before = old.encrypt(b"old", context="t.c")
    after = both.encrypt(b"new", context="t.c")
    assert key_id_of(after) == "kb"
    assert both.decrypt(before, context="t.c") == b"old"
    assert both.decrypt(after, context="t.c") == b"new"
    with pytest.raises(DecryptionError):
        old.decrypt(after, context="t.c")


def test_binary_form_for_files(ring: Keyring) -> None:
    content = os.urandom(10_000)
    sealed = ring.encrypt_bytes(content, context="document:1")
    assert sealed.startswith(b"wpe1.ka.")
    assert len(sealed) == len(b"wpe1.ka.") + 12 + len(content) + 16  # no base64 growth
    assert key_id_of(sealed) == "ka"
    assert ring.decrypt_bytes(sealed, context="document:1") == content
    flipped = bytearray(sealed)
    flipped[-1] ^= 1
    with pytest.raises(DecryptionError):
        ring.decrypt_bytes(bytes(flipped), context="document:1")


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("OLENA KOVALENKO", "olena kovalenko"),
        ("José Łukasz", "jose lukasz"),
        ("  Anna   Maria\tNowak ", "anna maria nowak"),
        (unicodedata.normalize("NFC", "Zoë Müller"), unicodedata.normalize("NFD", "Zoë Müller")),
        ("Straße", "STRASSE"),
        ("Anna-Maria O’Brien", "anna maria obrien"),
        ("Ｏｌｅｎａ", "olena"),  # full-width forms
        ("Олена Коваленко", "ОЛЕНА КОВАЛЕНКО"),
    ],
)
def test_normalisation_makes_equal_what_people_mean_as_equal(first: str, second: str) -> None:
    assert normalise(first) == normalise(second)
    ring = Keyring.from_config(config())
    assert ring.blind_index("name", first) == ring.blind_index("name", second)


@pytest.mark.parametrize(("first", "second"), [("Anna", "Anne"), ("Jan Nowak", "Jan Nowa k")])
def test_normalisation_keeps_different_values_different(first: str, second: str) -> None:
    ring = Keyring.from_config(config())
    assert ring.blind_index("name", first) != ring.blind_index("name", second)


def test_blind_index_differs_by_kind_and_by_key() -> None:
    ring = Keyring.from_config(config())
    digest = ring.blind_index("phone", "+48600100200")
    assert len(digest) == 64
    assert "600100200" not in digest
    assert ring.blind_index("phone", "+48600100200") == digest
    assert ring.blind_index("document_number", "+48600100200") != digest
    assert Keyring.from_config(config(seed=9)).blind_index("phone", "+48600100200") != digest
    # The kind cannot be shifted into the value.
    assert ring.blind_index("a", "b c") != ring.blind_index("a b", "c")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.pop("index_key"), "must be JSON"),
        (lambda c: c.update(active="nope"), "active field-encryption key 'nope'"),
        (lambda c: c.update(keys={"ka": base64.b64encode(b"short").decode()}), "32 bytes"),
        (lambda c: c.update(keys={"ka": "not base64!!"}), "must be JSON"),
        (
            lambda c: c.update(keys={"k.a": base64.b64encode(b"x" * 32).decode()}, active="k.a"),
            "Key ids",
        ),
        (lambda c: c.update(keys=["ka"]), "must be JSON"),
    ],
)
def test_a_bad_keyring_is_refused(change: Callable[[dict[str, Any]], object], message: str) -> None:
    bad = config()
    change(bad)
    with pytest.raises(ImproperlyConfigured, match=message):
        Keyring.from_config(bad)


def test_key_material_stays_out_of_repr(ring: Keyring) -> None:
    assert repr(ring) == "Keyring(active_id='ka')"


def test_to_config_round_trips() -> None:
    ring = Keyring.from_config(config(active="kb", keys=("ka", "kb")))
    assert Keyring.from_config(ring.to_config()) == ring


def write_keys(path: Path, content: dict[str, object]) -> None:
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(content))
    os.replace(temporary, path)


def test_a_process_follows_its_key_file(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "field_keys.json"
    write_keys(path, config())
    monkeypatch.delenv(crypto.KEYS_ENV, raising=False)
    monkeypatch.setenv(crypto.KEYS_FILE_ENV, str(path))
    settings.FIELD_ENCRYPTION_KEYRING = config()
    assert crypto.keyring().active_id == "ka"
    # Another process (`waypoint keys rotate`) replaces the file: no restart needed.
    write_keys(path, config(active="kb", keys=("ka", "kb")))
    assert crypto.keyring().active_id == "kb"
    assert set(crypto.keyring().keys) == {"ka", "kb"}
    # A broken file does not take the keys away.
    path.write_text("{not json")
    assert crypto.keyring().active_id == "kb"


def test_a_keyring_set_otherwise_is_used_as_given(
    tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "field_keys.json"
    write_keys(path, config(seed=40))  # another keyring (different index key) in the file
    monkeypatch.setenv(crypto.KEYS_FILE_ENV, str(path))
    settings.FIELD_ENCRYPTION_KEYRING = config(active="kb", keys=("kb",))
    assert crypto.reload_keyring().active_id == "kb"


def test_keys_from_the_environment_have_no_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(crypto.KEYS_ENV, json.dumps(config()))
    assert crypto.keyring_file() is None
