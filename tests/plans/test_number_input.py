"""Numbers follow the user's language and are never multiplied by ten: every number field
of the plan (the registry's number and money fields), in every language of the site."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from plans import sections
from plans.forms import ROW_FORMSETS, section_form_class
from plans.models import Target

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def number_fields() -> list[tuple[str, object]]:
    """(section.field, form field) of every number and money field of the plan."""
    found = []
    for entry in sections.all_sections():
        if entry.rows:
            fields = ROW_FORMSETS[entry.key].form.base_fields
            specs = entry.row_fields
        elif entry.has_fields:
            fields = section_form_class(entry.key).base_fields
            specs = entry.fields
        else:
            continue
        found += [(f"{entry.key}.{s.name}", fields[s.name]) for s in specs if s.kind.localized]
    return found


NUMBER_FIELDS = number_fields()


def test_the_plan_has_number_fields_and_every_one_is_covered():
    names = [name for name, _field in NUMBER_FIELDS]
    assert {"activities.budget", "targets.baseline", "targets.target_value"} <= set(names)


def read(field, text: str, language: str):
    with translation.override(language):
        try:
            return field.clean(text)
        except ValidationError as exc:
            return exc


def places(field) -> int:
    return field.decimal_places or 0


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(NUMBER_FIELDS),
    language=st.sampled_from(LANGUAGES),
    integer=st.integers(min_value=0, max_value=10**9),
    fraction=st.integers(min_value=1, max_value=99),
    separator=st.sampled_from([",", "."]),
)
def test_a_decimal_typed_with_either_separator_is_read_as_such_or_refused(
    field, language, integer, fraction, separator
):
    """ "42,5" or "42.5", in any language: 42.5 or a refusal with a message, never 425."""
    name, form_field = field
    digits = f"{fraction:02d}" if fraction >= 10 else str(fraction)
    value = read(form_field, f"{integer}{separator}{digits}", language)
    if isinstance(value, ValidationError):
        assert value.messages and all(value.messages)
        return
    assert value == Decimal(f"{integer}.{digits}"), (name, language)


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    field=st.sampled_from(NUMBER_FIELDS),
    language=st.sampled_from(LANGUAGES),
    number=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
    grouping=st.booleans(),
)
def test_a_number_written_as_the_language_writes_it_reads_back_the_same(
    field, language, number, grouping
):
    name, form_field = field
    number = number.quantize(Decimal(1).scaleb(-places(form_field)))
    with translation.override(language):
        text = number_format(number, use_l10n=True, force_grouping=grouping)
    assert read(form_field, text, language) == number, (name, language, text)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("en", "42,5", Decimal("42.5")),
        ("en", "1,500", Decimal("1500")),
        ("en", "1,500,000.50", Decimal("1500000.50")),
        ("id", "42,5", Decimal("42.5")),
        ("id", "42.5", Decimal("42.5")),
        ("id", "1.500.000,50", Decimal("1500000.50")),
    ],
)
def test_examples(language, typed, expected):
    [(_name, field)] = [f for f in NUMBER_FIELDS if f[0] == "targets.baseline"]
    assert read(field, typed, language) == expected


@pytest.mark.parametrize(
    ("language", "typed"),
    [("en", "1.500.000,50"), ("en", "1,50,0"), ("id", "1,500,000.50"), ("id", "4,2,5")],
)
def test_separators_in_the_wrong_places_are_refused_with_an_example(language, typed):
    [(_name, field)] = [f for f in NUMBER_FIELDS if f[0] == "targets.baseline"]
    error = read(field, typed, language)
    assert isinstance(error, ValidationError)
    example = "1,500.5" if language == "en" else "1.500,5"
    assert example in error.messages[0]


@pytest.mark.django_db
def test_an_english_autosave_of_42_comma_5_stores_42_point_5(client, agent, draft_plan):
    client.force_login(agent.user)
    client.post(reverse("set_language"), {"language": "en"})
    due = draft_plan.cycle.implementation_start
    response = client.post(
        reverse("plans:autosave", args=[draft_plan.pk]) + "?bagian=targets",
        {
            "lock_version": str(draft_plan.lock_version),
            "targets-TOTAL_FORMS": "1",
            "targets-INITIAL_FORMS": "0",
            "targets-0-indicator": "Waktu layanan",
            "targets-0-unit": "hari",
            "targets-0-baseline": "42,5",
            "targets-0-target_value": "7",
            "targets-0-due_date": due.isoformat(),
            "targets-0-verification": "Laporan",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert Target.objects.get(plan=draft_plan).baseline == Decimal("42.5")
