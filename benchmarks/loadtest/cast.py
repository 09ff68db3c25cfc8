"""The people of the load test (benchmarks/bench_load.py): accounts from the seeded data,
each simulated person signing in as an account of their own.

- agents: owners of a draft or a plan sent back for revision (one plan each, the
  largest cycle first), who edit it in the editor;
- reviewers: reviewers with active assignments on plans in review whose review is not
  yet submitted (up to five plans each), who open and score them;
- leaders: coordinators and Sekda accounts made for the test (`beban.koordinatorNN`,
  `beban.sekdaNN`, brought up to date on every run): the seeded data has one of each,
  and a coordinator signs in with two-factor sign-in as production requires, each
  account with a confirmed authenticator whose (new) key the test knows.

Every account of the cast gets the password LOAD_PASSWORD, hashed with PBKDF2 (the
production settings' hasher) whatever the hasher of the settings that prepare it: this
writes to the database, so run it on a copy (`make loadtest` makes one).
"""

import secrets

LOAD_PASSWORD = "beban-uji-agenplan"  # noqa: S105 - the load test's own accounts, on a copy
LEADER_PREFIX = "beban."
IN_REVIEW_PLANS_PER_REVIEWER = 5


def _pbkdf2(password: str) -> str:
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    hasher = PBKDF2PasswordHasher()
    return hasher.encode(password, hasher.salt())


def _agents(count: int) -> list[dict]:
    from plans.enums import PlanState
    from plans.models import ActionPlan

    rows = (
        ActionPlan.objects.filter(
            state__in=PlanState.EDITABLE, owner__isnull=False, owner__user__is_active=True
        )
        .order_by("-cycle_id", "pk")
        .values_list("pk", "owner__user__username")
        .iterator()
    )
    agents, seen = [], set()
    for pk, username in rows:
        if username not in seen:
            seen.add(username)
            agents.append({"username": username, "plan": pk})
            if len(agents) == count:
                break
    return agents


def _reviewers(count: int) -> list[dict]:
    from assessment.enums import ReviewState
    from assessment.models import ReviewAssignment
    from plans.enums import PlanState

    rows = (
        ReviewAssignment.objects.filter(
            is_active=True, plan__state=PlanState.IN_REVIEW, reviewer__is_active=True
        )
        .exclude(reviews__state=ReviewState.SUBMITTED)
        .order_by("-plan__cycle_id", "reviewer_id", "plan_id")
        .values_list("reviewer__username", "plan_id")
        .iterator()
    )
    plans: dict[str, list[int]] = {}
    for username, plan in rows:
        mine = plans.setdefault(username, [])
        if len(mine) < IN_REVIEW_PLANS_PER_REVIEWER:
            mine.append(plan)
        if len(plans) > count:
            break
    return [{"username": u, "plans": p} for u, p in list(plans.items())[:count]]


def _leaders(count: int, password: str) -> list[dict]:
    """`count` coordinators and `count` Sekda accounts, alternating."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from agents.enums import Role
    from agents.models import RoleGrant, User

    leaders = []
    for n in range(1, count + 1):
        for role, name in ((Role.COORDINATOR, "koordinator"), (Role.LEADERSHIP, "sekda")):
            user, _created = User.objects.update_or_create(
                username=f"{LEADER_PREFIX}{name}{n:02d}",
                defaults={
                    "name": f"Uji Beban {name.title()} {n}",
                    "email": f"{name}{n:02d}@beban.invalid",
                    "password": password,
                    "is_active": True,
                },
            )
            RoleGrant.objects.get_or_create(user=user, role=role)
            TOTPDevice.objects.filter(user=user).delete()
            account = {"username": user.username, "role": name}
            if role == Role.COORDINATOR:
                key = secrets.token_hex(20)
                TOTPDevice.objects.create(user=user, name="authenticator", key=key, confirmed=True)
                account["totp_key"] = key
            leaders.append(account)
    return leaders


def _leader_pages() -> dict[str, list[tuple[str, str]]]:
    """The coordinator's and the Sekda's pages (name for the figures, path)."""
    from django.db.models import Count

    from agencies.models import Agency
    from plans.enums import PlanState
    from plans.models import ActionPlan

    in_review = (
        ActionPlan.objects.filter(state=PlanState.IN_REVIEW)
        .order_by("-cycle_id", "pk")
        .values_list("pk", flat=True)[:5]
    )
    agencies = (
        Agency.objects.annotate(n=Count("plans")).order_by("-n", "pk").values_list("pk", flat=True)
    )[:5]
    coordinator = [
        ("GET /koordinator/ (board)", "/koordinator/"),
        ("GET /koordinator/penugasan/ (assignments)", "/koordinator/penugasan/"),
        ("GET /koordinator/keputusan/ (decisions)", "/koordinator/keputusan/"),
        ("GET /koordinator/peserta/ (participants)", "/koordinator/peserta/"),
        ("GET /rencana/daftar/ (plan list)", "/rencana/daftar/"),
    ] + [
        ("GET /koordinator/rencana/[id]/ (plan reviews)", f"/koordinator/rencana/{pk}/")
        for pk in in_review
    ]
    sekda = [("GET /pimpinan/ (dashboard)", "/pimpinan/")] + [
        ("GET /pimpinan/opd/[id]/ (agency)", f"/pimpinan/opd/{pk}/") for pk in agencies
    ]
    return {"koordinator": coordinator, "sekda": sekda}


def prepare_cast(users: int) -> dict:
    """Accounts for `users` simulated people in the proportions of the mix (with room)."""
    from agents.models import User

    password = _pbkdf2(LOAD_PASSWORD)
    agents = _agents(max(2, users * 6 // 10 + 1))
    reviewers = _reviewers(max(2, users * 3 // 10 + 1))
    leaders = _leaders(max(1, users // 20 + 1), password)
    if not agents or not reviewers:
        raise RuntimeError("no editable plan or no plan in review: seed the database first")
    usernames = [a["username"] for a in agents + reviewers]
    User.objects.filter(username__in=usernames).update(password=password)
    return {
        "password": LOAD_PASSWORD,
        "agents": agents,
        "reviewers": reviewers,
        "leaders": leaders,
        "pages": _leader_pages(),
    }
