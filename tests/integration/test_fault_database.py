"""PostgreSQL restarted under a running gunicorn while an agent autosaves and a reviewer
saves a review: every answer is either a success or the 503 page (never a 500), no save is
half-written, and gunicorn's same worker process serves again once the database is back.

The database is a cluster of the test's own (initdb/pg_ctl on a free port), a copy of the
test database: the machine's shared PostgreSQL is never restarted.
"""

import re
import threading
import time

import pytest
from django.db import connection

from agents.enums import Role
from assessment.services import assign_reviewers
from plans.services.workflow import submit_plan
from tests.factories import CycleFactory, PlanFactory, add_rubric, user_with_role
from tests.reports.scenario import detailed_plan

from .conftest import _database_url
from .faults import Gunicorn, PostgresCluster, Visitor, app_env, postgres_bin, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(postgres_bin() is None, reason="needs PostgreSQL's initdb and pg_ctl"),
]

PASSWORD = "rahasia-123"
OUTAGE = "Layanan sedang gangguan, coba beberapa saat lagi"


@pytest.fixture
def people(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the database restart is PostgreSQL's (DATABASE_URL=postgres://...)")
    cycle = CycleFactory()
    add_rubric(cycle)
    coordinator = user_with_role(Role.COORDINATOR)
    reviewer, other = user_with_role(Role.REVIEWER), user_with_role(Role.REVIEWER)
    reviewed = detailed_plan(cycle, title="Layanan perizinan daring satu pintu")
    submit_plan(reviewed, by=reviewed.owner.user)
    assign_reviewers(reviewed, reviewers=[reviewer, other], by=coordinator)
    draft = PlanFactory(cycle=cycle)
    return {
        "draft": draft,
        "agent": draft.owner.user,
        "assignment": reviewed.assignments.get(reviewer=reviewer),
        "reviewer": reviewer,
    }


@pytest.fixture
def stack(people, tmp_path):
    cluster = PostgresCluster()
    cluster.init()
    cluster.start()
    web = None
    try:
        cluster.clone(_database_url(), "agenplan")
        web = Gunicorn(tmp_path, app_env(DATABASE_URL=cluster.url("agenplan")))
        web.start()
        yield cluster, web
    finally:
        if web is not None:
            web.stop()
        cluster.destroy()


def _lock_version(body: str) -> int | None:
    match = re.search(r'id="id_lock_version"\s+value="(\d+)"', body)
    return int(match.group(1)) if match else None


class Saver:
    """An agent autosaving the problem section and a reviewer saving a draft review, over
    and over: attempt i writes "Versi i" into all three fields, level i%5+1 into every
    criterion; each answer is recorded."""

    def __init__(self, web, people):
        self.plan_id = people["draft"].pk
        self.assignment_id = people["assignment"].pk
        self.reviewed_plan_id = people["assignment"].plan_id
        self.agent = Visitor(web.base)
        self.agent.login(people["agent"].username, PASSWORD)
        self.reviewer = Visitor(web.base)
        self.reviewer.login(people["reviewer"].username, PASSWORD)
        self.version = _lock_version(self.agent.get(f"/rencana/{self.plan_id}/ubah/")[2])
        self.autosaves: list[tuple[int, int]] = []  # (attempt, status)
        self.reviews: list[tuple[int, int]] = []
        self.attempt = 0

    def autosave(self) -> int:
        self.attempt += 1
        i = self.attempt
        status, headers, body = self.agent.post(
            f"/rencana/{self.plan_id}/simpan/?bagian=problem",
            {
                "lock_version": str(self.version),
                "strategic_issue": f"Versi {i}",
                "baseline_data": f"Versi {i}",
                "root_cause": f"Versi {i}",
            },
            htmx=True,
        )
        if status == 200:
            new = _lock_version(body)
            if new is None:  # answered with the conflict screen: a 503'd save had committed
                new = _lock_version(self.agent.get(f"/rencana/{self.plan_id}/ubah/")[2])
            self.version = new
        if status == 503:
            assert headers["Retry-After"] == "30"
            assert OUTAGE in body
        self.autosaves.append((i, status))
        return status

    def review(self) -> int:
        self.attempt += 1
        i = self.attempt
        level = i % 5 + 1
        data = {"action": "save", "overall_feedback": f"Simpan {i}", "confidential_note": ""}
        for k in range(1, 7):
            data[f"level_K{k}"] = str(level)
            data[f"comment_K{k}"] = f"Komentar {i}"
        status, headers, body = self.reviewer.post(
            f"/penilaian/rencana/{self.reviewed_plan_id}/", data
        )
        if status == 503:
            assert headers["Retry-After"] == "30"
            assert OUTAGE in body
        self.reviews.append((i, status))
        return status


def test_a_database_restart_answers_503_writes_nothing_half_and_recovers(stack, people):
    cluster, web = stack
    saver = Saver(web, people)
    assert (saver.autosave(), saver.review()) == (200, 302)
    workers = web.worker_pids()
    assert len(workers) == 1

    # The database is down: both saves answer the 503 page.
    cluster.stop("fast")
    assert (saver.autosave(), saver.review()) == (503, 503)
    cluster.start()
    wait_until(lambda: saver.autosave() == 200, timeout=20, what="autosave after the restart")
    assert saver.review() == 302

    # Restarted (crash-like) in the middle of a stream of saves.
    stop = threading.Event()

    def keep_saving():
        while not stop.is_set():
            saver.autosave()
            saver.review()

    thread = threading.Thread(target=keep_saving)
    thread.start()
    try:
        time.sleep(1.0)
        cluster.stop("immediate")
        time.sleep(1.0)
        cluster.start()
        time.sleep(2.0)
    finally:
        stop.set()
        thread.join(timeout=60)
    wait_until(lambda: saver.autosave() == 200, timeout=20, what="autosave after the crash")
    assert saver.review() == 302

    answers = saver.autosaves + saver.reviews
    assert {status for _i, status in saver.autosaves} == {200, 503}
    assert {status for _i, status in saver.reviews} == {302, 503}
    assert len(answers) == saver.attempt
    # The same gunicorn worker process served throughout: nothing was restarted.
    assert web.worker_pids() == workers
    assert "Internal Server Error" not in web.process.log()

    # Nothing half-written: the plan's three fields come from one attempt, and every
    # version the plan went through has its audit entry (one transaction).
    (plan,) = cluster.query(
        "agenplan",
        "SELECT strategic_issue, baseline_data, root_cause, lock_version FROM plans_actionplan"
        " WHERE id = %s",
        [saver.plan_id],
    )
    assert plan[0] == plan[1] == plan[2] == f"Versi {saver.autosaves[-1][0]}"
    (edits,) = cluster.query(
        "agenplan",
        "SELECT COUNT(*) FROM agents_activitylog WHERE action = 'plan.edit' AND object_id = %s",
        [saver.plan_id],
    )
    assert plan[3] == 1 + edits[0]
    # The review's feedback and its six scores come from one attempt.
    rows = cluster.query(
        "agenplan",
        "SELECT r.overall_feedback, s.level, s.comment FROM assessment_review r"
        " JOIN assessment_criterionscore s ON s.review_id = r.id"
        " WHERE r.assignment_id = %s",
        [saver.assignment_id],
    )
    last = saver.reviews[-1][0]
    assert sorted(rows) == [(f"Simpan {last}", last % 5 + 1, f"Komentar {last}")] * 6
