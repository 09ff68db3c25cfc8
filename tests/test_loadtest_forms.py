"""What the load test's simulated people send: the fields of a form as a browser submits
them, and the authenticator code a coordinator types (benchmarks/loadtest/webforms.py).
The load test itself runs at its smoke size in tests/integration/test_benchmarks.py."""

import pytest
from django_otp.oath import TOTP

from agenplan.serving import DEFAULT_WEB_THREADS, web_threads, web_worker_class
from benchmarks.loadtest.webforms import read_form, totp

PAGE = """
<form id="other"><input name="elsewhere" value="no"></form>
<form id="plan-form" method="post">
  <input type="hidden" name="csrfmiddlewaretoken" value="tok">
  <input type="hidden" name="lock_version" id="id_lock_version" value="7">
  <textarea name="root_cause">Sebab &amp; akibat</textarea>
  <input type="checkbox" name="core_values" value="1" checked>
  <input type="checkbox" name="core_values" value="2">
  <input type="radio" name="level_C1" value="1"><input type="radio" name="level_C1" value="5">
  <select name="governor_mission">
    <option value="">—</option><option value="3" selected>M</option>
  </select>
  <input type="file" name="attachment"><button type="submit" name="action" value="save">S</button>
</form>
"""


def test_a_form_reads_as_a_browser_submits_it():
    form = read_form(PAGE, "plan-form")
    assert form.fields == [
        ["csrfmiddlewaretoken", "tok"],
        ["lock_version", "7"],
        ["root_cause", "Sebab & akibat"],
        ["core_values", "1"],
        ["governor_mission", "3"],
    ]
    assert form.radios == {"level_C1": ["1", "5"]}
    assert read_form(PAGE, "missing").fields == []


# RFC 6238's SHA-1 test vectors (their last six digits) and django-otp's own computation.
@pytest.mark.parametrize(
    ("moment", "code"),
    [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
    ],
)
def test_the_code_is_the_one_django_otp_checks(moment, code):
    key = b"12345678901234567890".hex()
    assert totp(key, at=moment) == code
    device = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    device.time = moment
    assert f"{device.token():06d}" == code


def test_threads_make_gthread_workers():
    assert (web_threads({}), web_worker_class({})) == (
        DEFAULT_WEB_THREADS,
        "sync" if DEFAULT_WEB_THREADS == 1 else "gthread",
    )
    assert (web_threads({"WEB_THREADS": "4"}), web_worker_class({"WEB_THREADS": "4"})) == (
        4,
        "gthread",
    )
    assert web_worker_class({"WEB_THREADS": "1"}) == "sync"
