"""The plan editor: the page, the whole-page save without JavaScript, autosave with
optimistic locking, conflicts, rows, and the query counts."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from agents.models import ActivityLog
from plans.enums import ChangeKind, PlanState
from plans.models import ActionPlan, Activity, ChangeArea, CoreValue, Target
from tests.factories import ActivityFactory, AgentFactory, TargetFactory

pytestmark = pytest.mark.django_db


def edit_url(plan):
    return reverse("plans:edit", args=[plan.pk])


def autosave_url(plan, section):
    return reverse("plans:autosave", args=[plan.pk]) + f"?bagian={section}"


def month(date: dt.date) -> str:
    return date.strftime("%Y-%m")


def page_data(response) -> dict:
    """What the browser would post back: every field of the editor's form as rendered."""
    data = {}
    forms = response.context["forms"]
    data["lock_version"] = str(response.context["plan"].lock_version)
    for form in forms.values():
        if hasattr(form, "management_form"):
            management = form.management_form
            for name in management.fields:
                data[management.add_prefix(name)] = str(management[name].value())
            bound_forms = form.forms
        else:
            bound_forms = [form]
        for f in bound_forms:
            for field in f:
                value = field.value()
                if value is None:
                    continue
                if isinstance(value, list | tuple):
                    data[field.html_name] = [str(getattr(v, "pk", v)) for v in value]
                elif isinstance(value, bool):
                    if value:
                        data[field.html_name] = "on"
                elif isinstance(value, dt.date):
                    fmt = "%Y-%m" if field.name.endswith("_month") else "%Y-%m-%d"
                    data[field.html_name] = value.strftime(fmt)
                else:
                    data[field.html_name] = str(getattr(value, "pk", value))
    return data


def row_data(prefix, rows: list[dict]) -> dict:
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def activity_row(plan, title, **kw):
    start = plan.cycle.implementation_start
    return {
        "title": title,
        "output": kw.get("output", "Dokumen"),
        "start_month": kw.get("start_month", month(start)),
        "end_month": kw.get("end_month", month(start)),
        "responsible": kw.get("responsible", "Sekretaris"),
        "budget": kw.get("budget", ""),
        "ORDER": kw.get("ORDER", ""),
        **({"id": str(kw["id"])} if "id" in kw else {}),
        **({"DELETE": "on"} if kw.get("DELETE") else {}),
    }


# --- The page ---------------------------------------------------------------------------------


def test_editor_shows_every_section_with_its_status_and_the_lock_version(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.get(edit_url(draft_plan))
    assert response.status_code == 200
    html = response.content.decode()
    assert list(response.context["forms"]) == [
        "identity",
        "problem",
        "change",
        "alignment",
        "activities",
        "targets",
        "impact",
        "risks",
    ]
    assert re.search(r'id="id_lock_version"\s+value="1"', html)
    assert html.count('hx-trigger="input delay:2s, change, ap:save"') == 8
    # An empty plan offers one blank row for activities and for targets.
    assert response.context["forms"]["activities"].total_form_count() == 1
    assert response.context["section_status"]["problem"] is False


def test_editor_of_a_submitted_plan_sends_to_the_read_only_page(client, agent, draft_plan):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(state=PlanState.SUBMITTED)
    client.force_login(agent.user)
    response = client.get(edit_url(draft_plan))
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:detail", args=[draft_plan.pk])


def test_agent_of_the_same_agency_cannot_edit_someone_elses_plan(client, agent, draft_plan):
    other = AgentFactory(user__agency=agent.agency)
    client.force_login(other.user)
    # A colleague does not see the plan's content at all: 404, as for a missing plan.
    assert client.get(edit_url(draft_plan)).status_code == 404


def test_co_agent_can_edit(client, agent, draft_plan):
    member = AgentFactory(user__agency=agent.agency)
    draft_plan.co_agents.add(member)
    client.force_login(member.user)
    response = client.get(edit_url(draft_plan))
    assert (response.status_code, response.context["plan"]) == (200, draft_plan)
    # A colleague of the same agency who is not on the team: the editor is not theirs.
    client.force_login(AgentFactory(user__agency=agent.agency).user)
    assert client.get(edit_url(draft_plan)).status_code == 404


# --- Autosave -----------------------------------------------------------------------------------


def test_autosave_saves_one_section_and_increments_the_version(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(
        autosave_url(draft_plan, "problem"),
        {
            "lock_version": "1",
            "strategic_issue": "Izin usaha butuh 14 hari.",
            "baseline_data": "1.240 berkas",
            "root_cause": "",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    draft_plan.refresh_from_db()
    assert (draft_plan.strategic_issue, draft_plan.baseline_data, draft_plan.lock_version) == (
        "Izin usaha butuh 14 hari.",
        "1.240 berkas",
        2,
    )
    html = response.content.decode()
    assert "Tersimpan" in html
    assert re.search(r'id="id_lock_version"\s+value="2"\s+hx-swap-oob="true"', html)
    entry = ActivityLog.objects.filter(action="plan.edit").get()
    assert entry.data == {"sections": ["problem"], "lock_version": 2}


def test_autosave_without_changes_writes_nothing(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(
        autosave_url(draft_plan, "identity"),
        {"lock_version": "1", "title": draft_plan.title},
        HTTP_HX_REQUEST="true",
    )
    draft_plan.refresh_from_db()
    assert draft_plan.lock_version == 1
    assert "hx-swap-oob" in response.content.decode()  # the errors box only
    assert 'id="id_lock_version"' not in response.content.decode()
    assert ActivityLog.objects.filter(action="plan.edit").count() == 0


def test_autosave_based_on_an_older_version_shows_the_conflict_and_keeps_the_text(
    client, agent, draft_plan
):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(
        lock_version=5, root_cause="Teks rekan tim yang tersimpan."
    )
    client.force_login(agent.user)
    response = client.post(
        autosave_url(draft_plan, "problem"),
        {
            "lock_version": "4",
            "strategic_issue": "",
            "baseline_data": "",
            "root_cause": "Teks saya yang belum tersimpan.",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#main"
    html = response.content.decode()
    assert "Teks saya yang belum tersimpan." in html
    assert "Teks rekan tim yang tersimpan." in html
    assert re.search(r'name="lock_version"\s+value="5"', html)
    draft_plan.refresh_from_db()
    assert (draft_plan.root_cause, draft_plan.lock_version) == (
        "Teks rekan tim yang tersimpan.",
        5,
    )
    [entry] = response.context["entries"]
    assert entry["section"] == "problem"
    assert [f["name"] for f in entry["fields"] if not f["same"]] == ["root_cause"]


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("mine", "Teks saya."),
        ("theirs", "Teks rekan."),
        ("merge", "Teks saya. Teks rekan."),
    ],
)
def test_resolving_a_conflict_keeps_mine_theirs_or_the_merge(
    client, agent, draft_plan, choice, expected
):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(lock_version=3, root_cause="Teks rekan.")
    client.force_login(agent.user)
    response = client.post(
        reverse("plans:resolve", args=[draft_plan.pk]),
        {
            "lock_version": "3",
            "sections": ["problem"],
            "choice-problem": choice,
            "strategic_issue": "",
            "baseline_data": "",
            "root_cause": "Teks saya.",
            "merge-root_cause": "Teks saya. Teks rekan.",
        },
    )
    assert response.status_code == 302
    draft_plan.refresh_from_db()
    assert draft_plan.root_cause == expected
    assert draft_plan.lock_version == (3 if choice == "theirs" else 4)


def test_resolving_when_the_plan_moved_again_shows_the_conflict_again(client, agent, draft_plan):
    ActionPlan.objects.filter(pk=draft_plan.pk).update(lock_version=7, root_cause="Lebih baru.")
    client.force_login(agent.user)
    response = client.post(
        reverse("plans:resolve", args=[draft_plan.pk]),
        {
            "lock_version": "6",
            "sections": ["problem"],
            "choice-problem": "mine",
            "strategic_issue": "",
            "baseline_data": "",
            "root_cause": "Teks saya.",
        },
    )
    assert response.status_code == 200
    assert "Teks saya." in response.content.decode()
    draft_plan.refresh_from_db()
    assert draft_plan.root_cause == "Lebih baru."


def test_autosave_with_errors_saves_nothing_and_names_the_fields(client, agent, draft_plan):
    client.force_login(agent.user)
    data = {"lock_version": "1"}
    data |= row_data(
        "targets",
        [
            {
                "indicator": "Persentase izin daring",
                "unit": "%",
                "baseline": "dua puluh",
                "target_value": "80",
                "due_date": "1999-01-01",
                "verification": "Laporan",
            }
        ],
    )
    response = client.post(autosave_url(draft_plan, "targets"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Belum tersimpan" in html
    assert 'data-invalid="id_targets-0-baseline id_targets-0-due_date"' in html
    assert "Tenggat harus di dalam masa pelaksanaan" in html
    assert Target.objects.count() == 0
    draft_plan.refresh_from_db()
    assert draft_plan.lock_version == 1


def test_autosave_refuses_a_section_text_longer_than_5000_characters(client, agent, draft_plan):
    client.force_login(agent.user)
    data = {"lock_version": "1", "strategic_issue": "a" * 5001, "baseline_data": "1.240 berkas"}
    response = client.post(autosave_url(draft_plan, "problem"), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-invalid="id_strategic_issue"' in html
    assert "paling banyak 5000 karakter (sekarang 5001 karakter)." in html
    draft_plan.refresh_from_db()
    assert (draft_plan.strategic_issue, draft_plan.lock_version) == ("", 1)
    # The editor's text box tells the browser the same bound.
    page = client.get(edit_url(draft_plan)).content.decode()
    assert re.search(r'<textarea name="strategic_issue"[^>]* maxlength="5000"', page)


def test_autosave_of_rows_creates_updates_orders_and_deletes(client, agent, draft_plan):
    keep = ActivityFactory(plan=draft_plan, title="Lama A", order=0)
    gone = ActivityFactory(plan=draft_plan, title="Lama B", order=1)
    client.force_login(agent.user)
    rows = [
        activity_row(draft_plan, "Baru", ORDER="1"),
        activity_row(draft_plan, "Lama A diubah", id=keep.pk, ORDER="2"),
        activity_row(draft_plan, "Lama B", id=gone.pk, ORDER="3", DELETE=True),
        # A blank row added on the page and left empty is skipped.
        {"title": "", "output": "", "start_month": "", "end_month": "", "responsible": ""},
    ]
    data = {"lock_version": "1"} | row_data("activities", rows)
    response = client.post(autosave_url(draft_plan, "activities"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    activities = list(Activity.objects.filter(plan=draft_plan).order_by("order"))
    assert [(a.title, a.order) for a in activities] == [("Baru", 0), ("Lama A diubah", 1)]
    assert activities[1].pk == keep.pk
    html = response.content.decode()
    # The new row learns its id, so the next save updates it instead of adding another.
    assert re.search(
        rf'name="activities-0-id"\s+id="id_activities-0-id"\s+value="{activities[0].pk}"', html
    )
    assert 'id="schedule" hx-swap-oob="true"' in html


def test_add_row_returns_the_next_blank_row_and_the_new_total(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.get(
        reverse("plans:add_row", args=[draft_plan.pk]),
        {"bagian": "targets", "targets-TOTAL_FORMS": "3"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="targets-3-indicator"' in html
    assert re.search(r'id="id_targets-TOTAL_FORMS"\s+value="4"\s+hx-swap-oob="true"', html)


# --- The whole page without JavaScript ------------------------------------------------------------


def test_whole_page_post_saves_every_section(client, agent, draft_plan):
    area = ChangeArea.objects.create(code="TL", name="Penataan Tatalaksana")
    value = CoreValue.objects.create(code="B", name="Berorientasi Pelayanan")
    client.force_login(agent.user)
    data = page_data(client.get(edit_url(draft_plan)))
    data |= {
        "strategic_issue": "Isu",
        "innovation": "Inovasi",
        "change_kind": ChangeKind.DIGITALISATION,
        "change_areas": [str(area.pk)],
        "core_values": [str(value.pk)],
        "impact_external": "Warga terlayani lebih cepat",
    }
    data |= row_data("activities", [activity_row(draft_plan, "Sosialisasi", budget="1.500.000")])
    response = client.post(edit_url(draft_plan), data)
    assert response.status_code == 302
    assert response["Location"] == edit_url(draft_plan)
    draft_plan.refresh_from_db()
    assert (draft_plan.strategic_issue, draft_plan.change_kind, draft_plan.lock_version) == (
        "Isu",
        "digitalisation",
        2,
    )
    assert list(draft_plan.change_areas.all()) == [area]
    assert list(draft_plan.core_values.all()) == [value]
    [activity] = draft_plan.activities.all()
    assert (activity.title, activity.budget) == ("Sosialisasi", Decimal("1500000"))


def test_whole_page_post_keeps_valid_sections_and_shows_errors_on_the_others(
    client, agent, draft_plan
):
    client.force_login(agent.user)
    data = page_data(client.get(edit_url(draft_plan)))
    data |= {"root_cause": "Akar masalah yang jelas"}
    start = draft_plan.cycle.implementation_start
    data |= row_data(
        "activities",
        [
            activity_row(
                draft_plan,
                "Rapat",
                start_month=month(start + dt.timedelta(days=40)),
                end_month=month(start),
            )
        ],
    )
    response = client.post(edit_url(draft_plan), data)
    assert response.status_code == 200
    formset = response.context["forms"]["activities"]
    assert formset.forms[0].errors == {
        "end_month": ["Bulan selesai tidak boleh sebelum bulan mulai."]
    }
    draft_plan.refresh_from_db()
    assert draft_plan.root_cause == "Akar masalah yang jelas"
    assert draft_plan.activities.count() == 0
    # The typed row is still on the page.
    assert 'value="Rapat"' in response.content.decode()


def test_whole_page_row_buttons_move_and_remove_rows_without_javascript(client, agent, draft_plan):
    a = ActivityFactory(plan=draft_plan, title="Satu", order=0)
    b = ActivityFactory(plan=draft_plan, title="Dua", order=1)
    c = ActivityFactory(plan=draft_plan, title="Tiga", order=2)
    client.force_login(agent.user)
    data = page_data(client.get(edit_url(draft_plan)))
    response = client.post(edit_url(draft_plan), data | {"row_action": "activities-2-up"})
    assert response["Location"] == edit_url(draft_plan) + "#section-activities"
    assert list(draft_plan.activities.values_list("pk", flat=True)) == [a.pk, c.pk, b.pk]
    data = page_data(client.get(edit_url(draft_plan)))
    client.post(edit_url(draft_plan), data | {"row_action": "activities-0-remove"})
    assert list(draft_plan.activities.values_list("pk", flat=True)) == [c.pk, b.pk]
    data = page_data(client.get(edit_url(draft_plan)))
    response = client.post(edit_url(draft_plan), data | {"row_action": "targets-add"})
    assert response["Location"] == edit_url(draft_plan) + "?tambah=targets#section-targets"


def test_whole_page_post_on_an_old_version_shows_the_conflict_page(client, agent, draft_plan):
    client.force_login(agent.user)
    data = page_data(client.get(edit_url(draft_plan)))
    ActionPlan.objects.filter(pk=draft_plan.pk).update(lock_version=2, novelty="Oleh rekan")
    response = client.post(edit_url(draft_plan), data | {"novelty": "Oleh saya"})
    assert response.status_code == 200
    assert response.templates[0].name == "plans/conflict.html"
    assert [e["section"] for e in response.context["entries"]] == ["change"]
    draft_plan.refresh_from_db()
    assert draft_plan.novelty == "Oleh rekan"


# --- Query counts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 20])
def test_editor_query_count_does_not_grow_with_rows(
    client, agent, draft_plan, size, django_assert_num_queries
):
    for i in range(size):
        ActivityFactory(plan=draft_plan, order=i)
        TargetFactory(plan=draft_plan, order=i)
    client.force_login(agent.user)
    client.get(edit_url(draft_plan))  # warm the content-type cache
    with django_assert_num_queries(EDITOR_QUERIES):
        response = client.get(edit_url(draft_plan))
    assert response.context["forms"]["activities"].total_form_count() == size


# Session, user (with their agency, agent profile and roles), the plan; the three
# reference lists (the plan's mission, RB areas and BerAKHLAK values come from them and
# the plan's id lists); every change-agent role marked when the plan names it (the
# section's choices and the plan's own); team, activities, targets, attachments; the
# comment threads per section; the team's candidates. A draft reads no decision.
EDITOR_QUERIES = 13


@pytest.mark.parametrize("size", [1, 20])
def test_autosave_query_count_does_not_grow_with_rows(
    client, agent, draft_plan, size, django_assert_num_queries
):
    rows = [activity_row(draft_plan, f"Kegiatan {i}") for i in range(size)]
    client.force_login(agent.user)
    data = {"lock_version": "1"} | row_data("activities", rows)
    client.post(autosave_url(draft_plan, "activities"), data, HTTP_HX_REQUEST="true")
    ids = list(draft_plan.activities.values_list("pk", flat=True))
    rows = [activity_row(draft_plan, f"Kegiatan {i} diubah", id=pk) for i, pk in enumerate(ids)]
    data = {"lock_version": "2"} | row_data("activities", rows)
    with django_assert_num_queries(AUTOSAVE_QUERIES):
        client.post(autosave_url(draft_plan, "activities"), data, HTTP_HX_REQUEST="true")
    assert draft_plan.activities.filter(title__endswith="diubah").count() == size


AUTOSAVE_QUERIES = 17


@pytest.mark.parametrize("size", [1, 20])
def test_agent_home_and_plan_list_query_counts_do_not_grow_with_rows(
    client, agent, draft_plan, size, django_assert_num_queries
):
    for i in range(size):
        ActivityFactory(plan=draft_plan, order=i)
        TargetFactory(plan=draft_plan, order=i)
    client.force_login(agent.user)
    client.get(reverse("plans:my_plans"))
    with django_assert_num_queries(9):
        home = client.get(reverse("plans:my_plans"))
    assert [row.plan.activities.all().count() for row in home.context["current_rows"]] == [size]
    with django_assert_num_queries(LIST_QUERIES):
        listing = client.get(reverse("plans:list"))
    assert [p.pk for p in listing.context["page"]] == [draft_plan.pk]


LIST_QUERIES = 9


# --- The checklist ---------------------------------------------------------------------------


def test_checklist_reads_met_items_as_met_and_links_missing_ones_to_their_field(
    client, agent, draft_plan
):
    draft_plan.root_cause = "Prosedur manual"
    draft_plan.save()
    ActivityFactory(plan=draft_plan)
    client.force_login(agent.user)
    response = client.get(edit_url(draft_plan))
    items = {(i.field, i.ok): i.label for i in response.context["checklist"]}
    assert items[("root_cause", True)] == "Akar masalah sudah diisi."
    assert items[("strategic_issue", False)] == "Isu strategis / masalah layanan wajib diisi."
    assert items[("activities", False)] == "Sedikitnya 3 kegiatan (baru 1)."
    assert items[("activities", True)] == "Semua kegiatan berada dalam masa pelaksanaan."
    html = response.content.decode()
    assert '<a href="#div_id_strategic_issue">' in html
    assert '<a href="#section-activities">Sedikitnya 3 kegiatan (baru 1).</a>' in html
    # The field the link points to exists on the page.
    assert 'id="div_id_strategic_issue"' in html


def test_submission_is_refused_until_the_checklist_is_complete(client, agent, draft_plan):
    client.force_login(agent.user)
    response = client.post(reverse("plans:submit", args=[draft_plan.pk]), follow=True)
    draft_plan.refresh_from_db()
    assert draft_plan.state == PlanState.DRAFT
    [message] = [str(m) for m in response.context["messages"]]
    assert message.startswith("Rencana belum lengkap")
    # Back in the editor, where the missing items are a list, one item a line.
    assert response.redirect_chain[-1][0] == edit_url(draft_plan) + "#kelengkapan"
    html = response.content.decode()
    checklist = html[html.index('id="kelengkapan"') :]
    assert re.search(r"<li[^>]*ap-check-missing[^>]*>.*?Isu strategis", checklist, re.S)


def test_the_submit_button_is_disabled_with_its_reason_until_the_checklist_is_complete(
    client, agent, draft_plan
):
    client.force_login(agent.user)
    html = client.get(edit_url(draft_plan)).content.decode()
    button = re.search(r'<button type="submit"\s+class="btn btn-primary w-100"[^>]*>', html)[0]
    assert "disabled" in button
    assert 'aria-describedby="submit-blocked"' in button
    assert re.search(r'id="submit-blocked">\s*Belum dapat diajukan: \d+ hal', html)


def test_the_submit_button_is_enabled_once_the_checklist_is_complete(client, agent, complete_plan):
    client.force_login(agent.user)
    html = client.get(edit_url(complete_plan)).content.decode()
    assert 'id="submit-blocked"' not in html
    assert re.search(r"<button[^>]*data-flush-autosave[^>]*>\s*<i[^>]*></i> Ajukan rencana", html)
