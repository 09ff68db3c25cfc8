"""The cycle form sets the reporting periods (monthly, due ten days after, by default)."""

import datetime as dt

import pytest

from assessment.forms import CycleForm
from monitoring.periods import reporting_periods
from tests.assessment.test_cycles import cycle_post


@pytest.mark.django_db
def test_cycle_form_defaults_and_sets_reporting_periods():
    form = CycleForm(data=cycle_post())
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["reporting_months"], form.cleaned_data["report_due_days"]) == (1, 10)
    form = CycleForm(data=cycle_post(reporting_months="3", report_due_days="14"))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["reporting_months"] == 3
    form = CycleForm(data=cycle_post(reporting_months="13"))
    assert form.errors["reporting_months"] == ["Isi 1 sampai 12."]


def test_quarterly_periods_of_a_window():
    periods = reporting_periods(dt.date(2027, 5, 1), dt.date(2027, 12, 31), months=3)
    assert [(p.start, p.end, p.due) for p in periods] == [
        (dt.date(2027, 5, 1), dt.date(2027, 7, 31), dt.date(2027, 8, 10)),
        (dt.date(2027, 8, 1), dt.date(2027, 10, 31), dt.date(2027, 11, 10)),
        (dt.date(2027, 11, 1), dt.date(2027, 12, 31), dt.date(2028, 1, 10)),
    ]
