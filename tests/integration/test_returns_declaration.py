"""The voluntary return declaration: written in the person's language, printed as a PDF whose
Cyrillic is set in an embedded DejaVu font, signed on a recorded day."""

import re
import zlib
from collections.abc import Callable

import pytest
from django.utils import timezone

from tests.integration.test_returns_support import (
    actor_for,
    counsel,
    days_ago,
    events,
    make_case,
    start,
    verified,
)
from waypoint.accounts.models import Organisation, Role, User
from waypoint.returns import services
from waypoint.returns.models import Declaration, Return
from waypoint.returns.pdf import declaration_pdf


@pytest.fixture
def worker(alpha: Organisation, make_user: Callable[..., User]) -> User:
    return verified(make_user(alpha, Role.CASE_WORKER))


@pytest.fixture
def counselled(worker: User) -> Return:
    case = make_case(worker, given_names="Олена", family_names="Коваленко")
    record = start(worker, case)
    counsel(worker, record, days_ago(5))
    return record


def write(worker: User, record: Return, language: str) -> Declaration:
    return services.generate_declaration(actor_for(worker), worker, record, language=language)


def pdf_facts(pdf: bytes) -> tuple[set[str], set[str], str]:
    """The embedded font names, the characters the text maps to, and the document language."""
    fonts: set[str] = set()
    characters: set[str] = set()
    language = ""
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            continue
        fonts.update(name.decode() for name in re.findall(rb"/FontName\s*/([\w+\-]+)", data))
        # ToUnicode maps: single glyphs (bfchar) and runs of consecutive ones (bfrange).
        for _glyph, target in re.findall(rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", data):
            characters.add(chr(int(target, 16)))
        for first, last, target in re.findall(
            rb"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]{4})>", data
        ):
            start = int(target, 16)
            characters.update(
                chr(start + offset) for offset in range(int(last, 16) - int(first, 16) + 1)
            )
        if found := re.search(rb"/Lang \((\w+)\)", data):
            language = found.group(1).decode()
    return fonts, characters, language


def test_the_declaration_is_written_in_the_persons_language(
    counselled: Return, worker: User, alpha: Organisation
) -> None:
    declaration = write(worker, counselled, "uk")
    content = declaration.content
    assert content["title"] == "Заява про добровільне повернення"
    decision, informed, withdrawal = content["paragraphs"]
    assert decision.startswith("Я, Олена Коваленко, дата народження: 1998-03-14")
    assert "громадянство: Україна" in decision
    assert "Безпечне повернення жертв торгівлі людьми з Польщі" in decision
    assert alpha.name in decision
    assert days_ago(5).isoformat() in informed
    assert "відкликати" in withdrawal
    assert content["reference"] == f"Номер справи: {counselled.code}"
    assert (
        write(worker, counselled, "ru").content["title"] == "Заявление о добровольном возвращении"
    )
    english = write(worker, counselled, "en").content
    assert english["paragraphs"][0].startswith("I, Олена Коваленко, date of birth: 1998-03-14")
    assert "return to Ukraine" in english["paragraphs"][0]
    assert [event.details["language"] for event in events("return.declaration.generate")] == [
        "uk",
        "ru",
        "en",
    ]


@pytest.mark.parametrize("language", ["uk", "ru"])
def test_the_pdf_sets_cyrillic_in_the_packaged_dejavu_font(
    counselled: Return, worker: User, language: str
) -> None:
    declaration = write(worker, counselled, language)
    pdf = declaration_pdf(declaration.content)
    assert pdf.startswith(b"%PDF")
    fonts, characters, document_language = pdf_facts(pdf)
    assert fonts
    # "Waypoint Sans" is the packaged DejaVu Sans (waypoint/cases/static/cases/fonts).
    assert all(font.split("+")[1] in {"Waypoint-Sans", "Waypoint-Sans-Bold"} for font in fonts)
    assert set(declaration.content["title"].replace(" ", "")) <= characters
    assert set("ОленаКоваленко") <= characters
    assert document_language == language


def test_only_an_informed_decision_can_be_declared(worker: User) -> None:
    record = start(worker, make_case(worker))
    with pytest.raises(services.ReturnRuleError, match="Counselling has not yet covered"):
        write(worker, record, "uk")
    with pytest.raises(services.ReturnInputError):
        write(worker, record, "de")
    assert not Declaration.objects.exists()


def test_the_signature_is_recorded_once_on_a_day_not_in_the_future(
    counselled: Return, worker: User
) -> None:
    declaration = write(worker, counselled, "uk")
    with pytest.raises(services.ReturnInputError) as refused:
        services.record_declaration_signed(
            actor_for(worker), worker, declaration, signed_on=days_ago(-1)
        )
    assert list(refused.value.errors) == ["signed_on"]
    with pytest.raises(services.ReturnInputError, match="before the declaration was written"):
        services.record_declaration_signed(
            actor_for(worker), worker, declaration, signed_on=days_ago(1)
        )
    today = timezone.localdate()
    signed = services.record_declaration_signed(
        actor_for(worker), worker, declaration, signed_on=today
    )
    assert (signed.signed_on, signed.signature_recorded_by) == (today, worker)
    with pytest.raises(services.ReturnRuleError, match="already recorded"):
        services.record_declaration_signed(actor_for(worker), worker, declaration, signed_on=today)
    [event] = events("return.declaration.sign")
    assert event.details == {"code": counselled.code, "declaration_id": declaration.pk}


def test_a_withdrawn_declaration_cannot_be_signed(counselled: Return, worker: User) -> None:
    declaration = write(worker, counselled, "uk")
    Declaration.objects.filter(pk=declaration.pk).update(withdrawn_on=timezone.localdate())
    declaration.refresh_from_db()
    with pytest.raises(services.ReturnRuleError, match="withdrawn"):
        services.record_declaration_signed(
            actor_for(worker), worker, declaration, signed_on=timezone.localdate()
        )
    assert Declaration.objects.get(pk=declaration.pk).signed_on is None
