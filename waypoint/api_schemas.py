"""The error shapes every router of the JSON API answers with, declared once for OpenAPI."""

from typing import Any

from ninja import Field, Schema


class FieldProblem(Schema):
    path: str = Field(description="JSON path of the wrong field, e.g. `$.person.birth_date`.")
    message: str


class InvalidInput(Schema):
    detail: str
    errors: list[FieldProblem]


class Refusal(Schema):
    detail: str


REFUSALS: dict[int, Any] = {403: Refusal, 404: Refusal, 422: InvalidInput}
