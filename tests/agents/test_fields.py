"""The NIP field accepts the typed forms people use and stores 18 digits."""

import pytest
from django import forms

from agents.models import User

pytestmark = pytest.mark.django_db


class NipForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["nip"]


@pytest.mark.parametrize(
    "typed", ["19660801 198803 1 001", "NIP. 19660801.198803.1.001", "196608011988031001"]
)
def test_nip_form_field_normalises_typed_forms(typed):
    form = NipForm(data={"nip": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nip"] == "196608011988031001"


def test_nip_form_field_error_says_which_part_is_wrong():
    form = NipForm(data={"nip": "19660801 198803 3 001"})
    assert not form.is_valid()
    assert form.errors["nip"] == [
        "Digit ke-15 (jenis kelamin) harus 1 (pria) atau 2 (wanita); yang diisi 3."
    ]


def test_nip_form_field_counts_digits():
    form = NipForm(data={"nip": "19560127198302002"})
    assert not form.is_valid()
    assert form.errors["nip"] == ["NIP harus 18 digit angka; yang diisi 17 digit."]
