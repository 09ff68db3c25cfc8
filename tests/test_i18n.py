"""Languages and time: Bahasa Indonesia by default, a complete English catalogue, WITA."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.translation.template import templatize

from plans.models import ActionPlan
from tests.factories import wita

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries(path: Path) -> list[dict]:
    """A minimal .po reader: each entry's flags, msgid and msgstr(s), strings joined."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"flags": "", "fields": {}}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line):
                current = match.group(1)
                entry["fields"][current] = match.group(2)
            elif line.startswith('"'):
                entry["fields"][current] += line[1:-1]
        entries.append(entry)
    return entries


def test_english_catalogue_is_complete_without_fuzzy_entries():
    entries = po_entries(PO)
    header, messages = entries[0], entries[1:]
    assert "fuzzy" not in header["flags"]
    assert len(messages) > 400
    fuzzy = [e["fields"]["msgid"] for e in messages if "fuzzy" in e["flags"]]
    untranslated = [
        e["fields"]["msgid"]
        for e in messages
        if not all(value for key, value in e["fields"].items() if key.startswith("msgstr"))
    ]
    assert (fuzzy, untranslated) == ([], [])


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_msgfmt_accepts_the_catalogue_and_counts_no_untranslated_message():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)],
        capture_output=True,
        text=True,
        env={"LANG": "C", "LC_ALL": "C"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages\.\n", result.stderr.splitlines(True)[-1])


def test_compiled_catalogue_is_committed():
    assert MO.exists()


def test_every_template_string_is_in_the_catalogue():
    """A {% translate "…" %} added to a template without a catalogue entry fails here."""
    msgids = {e["fields"].get("msgid") for e in po_entries(PO)}
    pattern = re.compile(r"""\{% translate (["'])(.+?)\1 (?:as \w+ )?%\}""")
    missing = {
        (path.relative_to(ROOT).as_posix(), text)
        for path in (ROOT / "templates").rglob("*.html")
        for _quote, text in pattern.findall(path.read_text(encoding="utf-8"))
        # makemessages writes a template's literal % as %%.
        if text.replace("%", "%%") not in msgids
    }
    assert missing == set()


# The keywords `manage.py makemessages` gives xgettext for Python (and for the templates,
# which it first turns into Python with django.utils.translation.template.templatize).
XGETTEXT_KEYWORDS = [
    "gettext_noop",
    "gettext_lazy",
    "ngettext_lazy:1,2",
    "pgettext:1c,2",
    "pgettext_lazy:1c,2",
    "npgettext:1c,2,3",
    "npgettext_lazy:1c,2,3",
    "ngettext:1,2",
    "_lazy",
]


def _catalogue_keys(path: Path) -> dict:
    """(context, msgid) of every entry, with whether it is translated and not fuzzy."""
    keys = {}
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        fields, current, flags = {}, None, ""
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line
            ):
                current = match.group(1)
                fields[current] = match.group(2)
            elif line.startswith('"') and current:
                fields[current] += line[1:-1]
        if fields.get("msgid"):
            translated = all(v for k, v in fields.items() if k.startswith("msgstr"))
            keys[(fields.get("msgctxt"), fields["msgid"])] = translated and "fuzzy" not in flags
    return keys


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_string_of_the_code_and_templates_has_its_english_translation(tmp_path):
    """What makemessages would find (Python outside tests and migrations, and every
    template, blocktranslate included) is in the catalogue, translated and not fuzzy: an
    English reader never meets an Indonesian string that a developer forgot."""
    sources = [
        path
        for path in ROOT.rglob("*.py")
        if not {".venv", "tests", "migrations", "var", "node_modules"}
        & set(path.relative_to(ROOT).parts)
    ]
    for number, template in enumerate(sorted(ROOT.glob("templates/**/*.html"))):
        converted = tmp_path / f"template_{number}.py"
        converted.write_text(templatize(template.read_text(encoding="utf-8"), origin=str(template)))
        sources.append(converted)
    pot = tmp_path / "found.pot"
    subprocess.run(
        [
            "xgettext",
            "--language=Python",
            "--from-code=UTF-8",
            *[f"--keyword={keyword}" for keyword in XGETTEXT_KEYWORDS],
            "-o",
            str(pot),
            *[str(path) for path in sources],
        ],
        check=True,
        capture_output=True,
    )
    catalogue = _catalogue_keys(PO)
    missing = sorted(key[1] for key in _catalogue_keys(pot) if not catalogue.get(key))
    assert missing == []


def test_pages_are_in_indonesian_by_default(client, agent, draft_plan):
    client.force_login(agent.user)
    html = client.get(reverse("plans:my_plans")).content.decode()
    assert '<html lang="id">' in html
    assert '<h1 class="ap-page-title">Rencana saya</h1>' in html
    assert '<span class="ap-state ap-state-draft">Draf</span>' in html


def test_switching_to_english_translates_the_home_page(client, agent, draft_plan):
    client.force_login(agent.user)
    home = reverse("plans:my_plans")
    response = client.post(reverse("set_language"), {"language": "en", "next": home})
    assert (response.status_code, response["Location"]) == (302, home)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(home).content.decode()
    assert '<html lang="en">' in html
    assert '<h1 class="ap-page-title">My plans</h1>' in html
    assert '<span class="ap-state ap-state-draft">Draft</span>' in html
    assert "14 days left" in html
    assert "2 of 17 complete" in html
    assert "Strategic issue / service problem: required." in html
    assert "Sign out" in html
    # And back.
    client.post(reverse("set_language"), {"language": "id", "next": home})
    assert "Rencana saya" in client.get(home).content.decode()


def test_times_are_shown_in_wita(client, agent, draft_plan):
    # 15:59 UTC is 23:59 in Makassar (UTC+8).
    ActionPlan.objects.filter(pk=draft_plan.pk).update(
        submission_extended_until=wita(2031, 3, 1, 23, 59)
    )
    client.force_login(agent.user)
    html = client.get(reverse("plans:detail", args=[draft_plan.pk])).content.decode()
    assert "1 Maret 2031, 23.59 WITA" in html
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("plans:detail", args=[draft_plan.pk])).content.decode()
    assert "1 March 2031, 23:59 WITA" in html


def test_numbers_use_indonesian_separators(client, agent, complete_plan):
    client.force_login(agent.user)
    html = client.get(reverse("plans:detail", args=[complete_plan.pk])).content.decode()
    assert "1.000.000" in html  # an activity's budget
    client.post(reverse("set_language"), {"language": "en"})
    html = client.get(reverse("plans:detail", args=[complete_plan.pk])).content.decode()
    assert "1,000,000" in html
