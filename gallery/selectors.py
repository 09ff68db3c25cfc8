"""What the public gallery reads (docs/domain.md, "The public gallery").

Every public read starts from `shown_plans()`: plans published by the Biro Organisasi,
consented to by their team, and approved, in implementation or completed. The pages read
only the columns they show (agency, cycle, title, strategic issue, innovation, external
impact, RB areas, targets, verified realisation, evidence marked public) into plain
dictionaries, which the views cache; nothing else of the plan, its people, its reviews or
its decision is ever loaded here.

The realisation figures are the monitoring's: each target's verified realisation
(`monitoring.TargetRealisation`, uncapped as shown, capped as counted) and the plan's
roll-up, the mean of the capped figures with a target without a verified value counting 0
(plans/realisation.py), as the dashboard computes them.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Avg, DecimalField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from agencies.models import Agency
from monitoring.models import ClosingReport, Evidence
from plans.enums import PlanState
from plans.models import ActionPlan, ChangeArea, Cycle, Target
from plans.realisation import capped, rollup, traffic_light
from plans.search import QUERY_MAX_LENGTH, SEARCH_CONFIG, search_plans

from .models import Publication

PER_PAGE = 12
EXCERPT_WORDS = 40
# The plan's text the public may read, and so the only text the gallery's search reads:
# a word of a field the gallery does not show must not find the plan.
PUBLIC_TEXT = ("title", "strategic_issue", "innovation", "impact_external")
# Plans whose targets are measured (as reports/selectors/realisation.py).
MEASURED = (PlanState.IMPLEMENTING, PlanState.COMPLETED)
ZERO = Decimal("0.00")


def shown_plans() -> QuerySet:
    """Plans the gallery shows to anyone: published, consented, approved or further."""
    return ActionPlan.objects.filter(
        publication__published=True,
        publication__consent=True,
        state__in=PlanState.APPROVED_ONCE,
    )


# --- Filters -------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The gallery's URL parameters, read without the database: anything unreadable is
    left out, never refused (a public page answers every query string)."""

    q: str = ""
    opd: int | None = None
    area: str = ""
    tahun: int | None = None
    page: int = 1

    @classmethod
    def from_query(cls, params) -> "Filters":
        query = " ".join(str(params.get("q", "")).replace("\x00", " ").split())
        return cls(
            q=query[:QUERY_MAX_LENGTH],
            opd=_small_int(params.get("opd")),
            area=_code(params.get("area")),
            tahun=year if (year := _small_int(params.get("tahun"))) and year < 10000 else None,
            page=_small_int(params.get("page")) or 1,
        )

    def key(self) -> tuple:
        return (self.q, self.opd, self.area, self.tahun, self.page)

    def params(self) -> dict:
        """The filters in force, as URL parameters (without the page)."""
        found = {"q": self.q, "opd": self.opd, "area": self.area, "tahun": self.tahun}
        return {name: value for name, value in found.items() if value}


def _small_int(value) -> int | None:
    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        return None
    return int(text) or None


def _code(value) -> str:
    text = str(value or "").strip()
    return text if text.isascii() and text.replace("-", "").replace("_", "").isalnum() else ""


def search(plans: QuerySet, query: str) -> QuerySet:
    """`plans` narrowed to those whose public text matches `query`: as plans/search.py,
    full-text search with the `indonesian` configuration on PostgreSQL (stems: "dibayar"
    finds "pembayaran") plus any part of the title or the agency's name; `icontains` on
    SQLite. Never a name or a NIP: the gallery names no one."""
    if not query:
        return plans
    matches = (
        Q(title__icontains=query)
        | Q(agency__name__icontains=query)
        | Q(agency__abbreviation__icontains=query)
    )
    if connection.vendor == "postgresql":
        plans = plans.annotate(public_document=SearchVector(*PUBLIC_TEXT, config=SEARCH_CONFIG))
        matches |= Q(
            public_document=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
        )
    else:
        for column in PUBLIC_TEXT[1:]:
            matches |= Q(**{f"{column}__icontains": query})
    return plans.filter(matches)


def filtered(filters: Filters) -> QuerySet:
    plans = shown_plans()
    if filters.opd:
        plans = plans.filter(agency_id=filters.opd)
    if filters.tahun:
        plans = plans.filter(cycle__year=filters.tahun)
    if filters.area:
        area = ChangeArea.objects.filter(code=filters.area).values_list("pk", flat=True).first()
        plans = plans.filter(area_ids__contains=[area]) if area else plans.none()
    return search(plans, filters.q)


def _plan_realisation() -> Subquery:
    """The plan's roll-up in SQL: the mean of its targets' capped verified realisation,
    0 for a target without one (plans.realisation.rollup)."""
    counted = Coalesce(
        "realisation__counted",
        Value(ZERO),
        output_field=DecimalField(max_digits=5, decimal_places=2),
    )
    return Subquery(
        Target.objects.filter(plan=OuterRef("pk"))
        .order_by()
        .values("plan")
        .annotate(mean=Avg(counted))
        .values("mean")[:1]
    )


def _two_places(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


def _bar(realisation: Decimal | None) -> int:
    """The width of a progress bar: the capped figure, a whole percent."""
    return int(capped(realisation))


def _excerpt(text: str) -> str:
    words = text.split()
    return " ".join(words[:EXCERPT_WORDS]) + (" …" if len(words) > EXCERPT_WORDS else "")


def _area_names() -> dict[int, str]:
    return dict(
        ChangeArea.objects.filter(is_active=True)
        .order_by("order", "name")
        .values_list("pk", "name")
    )


def facets() -> dict:
    """The filters' choices, from the published set: its agencies and years, and the RB
    change areas of the reference list."""
    shown = shown_plans()
    return {
        "agencies": list(
            Agency.objects.filter(pk__in=shown.values("agency_id"))
            .order_by("name")
            .values("pk", "name", "abbreviation")
        ),
        "years": list(
            Cycle.objects.filter(pk__in=shown.values("cycle_id"))
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        ),
        "areas": list(
            ChangeArea.objects.filter(is_active=True)
            .order_by("order", "name")
            .values("pk", "code", "name")
        ),
    }


def gallery_page(filters: Filters) -> dict:
    """One page of the gallery as plain data (cacheable): the cards, the page numbers and
    the filters' choices, in a fixed number of queries whatever the number of plans."""
    plans = (
        filtered(filters)
        .order_by("-publication__published_at", "-pk")
        .annotate(mean=_plan_realisation())
        .values(
            "pk",
            "title",
            "state",
            "strategic_issue",
            "innovation",
            "area_ids",
            "mean",
            "agency__name",
            "agency__abbreviation",
            "cycle__year",
        )
    )
    page = Paginator(plans, PER_PAGE).get_page(filters.page)
    choices = facets()
    names = {area["pk"]: area["name"] for area in choices["areas"]}
    states = dict(PlanState.choices)
    cards = []
    for row in page.object_list:
        measured = row["state"] in MEASURED
        realisation = _two_places(row["mean"]) if measured else None
        cards.append(
            {
                "pk": row["pk"],
                "title": row["title"],
                "state": row["state"],
                "state_label": str(states[row["state"]]),
                "agency": row["agency__name"],
                "agency_abbreviation": row["agency__abbreviation"],
                "year": row["cycle__year"],
                "problem": _excerpt(row["strategic_issue"]),
                "innovation": _excerpt(row["innovation"]),
                "areas": [names[pk] for pk in row["area_ids"] if pk in names],
                "measured": measured,
                "realisation": realisation,
                "light": traffic_light(realisation) if measured else "",
                "bar": _bar(realisation),
            }
        )
    return {
        "cards": cards,
        "count": page.paginator.count,
        "number": page.number,
        "num_pages": page.paginator.num_pages,
        "facets": choices,
    }


# --- One plan ------------------------------------------------------------------------


def get_shown_plan(pk: int) -> ActionPlan:
    """A plan the gallery shows, with only its public columns loaded; 404 otherwise
    (unpublished, without consent, not approved, or missing alike)."""
    plan = (
        shown_plans()
        .select_related("agency", "cycle")
        .only(
            "pk",
            "title",
            "state",
            "strategic_issue",
            "innovation",
            "impact_external",
            "area_ids",
            "agency__name",
            "agency__abbreviation",
            "cycle__name",
            "cycle__year",
        )
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404("Not in the gallery")
    return plan


def gallery_plan(pk: int) -> dict:
    """Everything the public page of one plan shows, as plain data."""
    plan = get_shown_plan(pk)
    measured = plan.state in MEASURED
    targets = []
    for target in (
        Target.objects.filter(plan=plan).select_related("realisation").order_by("order", "pk")
    ):
        found = getattr(target, "realisation", None) if measured else None
        shown = found.realisation if found is not None else None
        targets.append(
            {
                "indicator": target.indicator,
                "unit": target.unit,
                "baseline": target.baseline,
                "target_value": target.target_value,
                "due_date": target.due_date,
                "direction": target.direction,
                "value": found.value if found is not None else None,
                "realisation": shown,
                "light": traffic_light(shown) if found is not None else "",
            }
        )
    overall = rollup(t["realisation"] for t in targets) if measured and targets else None
    closing = (
        ClosingReport.objects.filter(plan=plan).values_list("external_impact", flat=True).first()
        if plan.state == PlanState.COMPLETED
        else None
    )
    areas = _area_names()
    return {
        "pk": plan.pk,
        "title": plan.title,
        "state": plan.state,
        "state_label": str(PlanState(plan.state).label),
        "agency": plan.agency.name,
        "agency_id": plan.agency_id,
        "agency_abbreviation": plan.agency.abbreviation,
        "cycle": plan.cycle.name,
        "year": plan.cycle.year,
        "problem": plan.strategic_issue,
        "innovation": plan.innovation,
        "impact_external": plan.impact_external,
        "impact_realised": closing or "",
        "areas": [{"pk": pk, "name": areas[pk]} for pk in plan.area_ids if pk in areas],
        "measured": measured,
        "targets": targets,
        "realisation": overall,
        "light": traffic_light(overall) if overall is not None else "",
        "bar": _bar(overall),
        "evidence": public_evidence(plan),
    }


def public_evidence(plan: ActionPlan) -> list[dict]:
    """The evidence of the plan's reports that its team marked public."""
    rows = (
        Evidence.objects.filter(report__plan=plan, pk__in=_marked(plan))
        .order_by("report__period", "added_at", "pk")
        .values("pk", "name", "link", "file", "size", "content_type", "report__period")
    )
    return [
        {
            "pk": row["pk"],
            "name": row["name"],
            "link": row["link"],
            "is_file": bool(row["file"]),
            "size": row["size"],
            "period": row["report__period"],
        }
        for row in rows
    ]


def _marked(plan: ActionPlan) -> QuerySet:
    return Publication.public_evidence.through.objects.filter(publication_id=plan.pk).values(
        "evidence_id"
    )


def get_public_evidence_file(pk: int, evidence_pk: int) -> Evidence:
    """A file of a plan the gallery shows that its team marked public; 404 otherwise."""
    plan = get_shown_plan(pk)
    evidence = (
        Evidence.objects.filter(report__plan=plan, pk=evidence_pk, pk__in=_marked(plan))
        .exclude(file="")
        .first()
    )
    if evidence is None:
        raise Http404("No such public evidence")
    return evidence


# --- The coordinator's list ----------------------------------------------------------


def publishable_plans(*, cycle: Cycle | None, query: str, status: str) -> QuerySet:
    """Approved (or further) plans with their gallery status, for the coordinator: whether
    the team consents and whether the plan is published."""
    plans = ActionPlan.objects.filter(state__in=PlanState.APPROVED_ONCE)
    if cycle is not None:
        plans = plans.filter(cycle=cycle)
    if status == "published":
        plans = plans.filter(publication__published=True)
    elif status == "ready":
        plans = plans.filter(publication__consent=True, publication__published=False)
    elif status == "no_consent":
        plans = plans.exclude(publication__consent=True)
    # The coordinator may find a plan by anything (its people and NIP too).
    plans = search_plans(plans, query.replace("\x00", " "))
    return plans.select_related("agency", "cycle", "publication").order_by(
        "agency__name", "title", "pk"
    )
