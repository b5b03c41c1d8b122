"""Model fields whose values are encrypted in the database and plain in Python."""

import json
from typing import Any

from django.apps import apps
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression

from waypoint.people.crypto import keyring


class EncryptedTextField(models.TextField):
    """Text encrypted with AES-GCM; bound to its table and column. Cannot be searched."""

    def context(self) -> str:
        return f"{self.model._meta.db_table}.{self.column}"

    def from_db_value(
        self, value: str | None, expression: Expression, connection: BaseDatabaseWrapper
    ) -> Any:
        if value is None or value == "":
            return value
        return self.decode(keyring().decrypt(value, context=self.context()))

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return keyring().encrypt(self.encode(value), context=self.context())

    def encode(self, value: Any) -> bytes:
        return str(value).encode()

    def decode(self, raw: bytes) -> Any:
        return raw.decode()

    def get_lookup(self, lookup_name: str) -> Any:
        # Comparing ciphertexts is meaningless: search goes through blind indexes instead.
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedJSONField(EncryptedTextField):
    """Any JSON value (lists of citizenships, documents, contacts) encrypted as one value."""

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True).encode()

    def decode(self, raw: bytes) -> Any:
        return json.loads(raw)

    def to_python(self, value: Any) -> Any:
        return value


def encrypted_fields_of(model: type[models.Model]) -> list[EncryptedTextField]:
    """The encrypted columns of a model's own table (inherited ones live on the parent's)."""
    return [
        field
        for field in model._meta.local_concrete_fields
        if isinstance(field, EncryptedTextField)
    ]


def models_with_encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every table holding encrypted values, found through the app registry."""
    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        if fields := encrypted_fields_of(model):
            found.append((model, fields))
    return found
