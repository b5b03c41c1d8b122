"""The error shapes every router of the JSON API answers with, declared once for OpenAPI."""

from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    """A request body. A key the endpoint does not know is refused with its path: dropped
    silently, a misspelt field would look saved."""

    model_config = ConfigDict(extra="forbid")


class FieldProblem(Schema):
    path: str = Field(description="JSON path of the wrong field, e.g. `$.person.birth_date`.")
    message: str


class InvalidInput(Schema):
    detail: str
    errors: list[FieldProblem]


class Refusal(Schema):
    detail: str


REFUSALS: dict[int, Any] = {403: Refusal, 404: Refusal, 422: InvalidInput}


def inlined_definitions(schema: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema with its `$defs` written in place: OpenAPI resolves `#/...` refs
    against its own document, where the input schema's definitions do not live."""
    definitions = schema.get("$defs", {})

    def inline(node: object) -> object:
        if isinstance(node, dict):
            reference = node.get("$ref", "")
            if reference.startswith("#/$defs/"):
                return inline(definitions[reference.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    inlined = inline(schema)
    assert isinstance(inlined, dict)
    inlined.pop("$schema", None)
    return inlined
