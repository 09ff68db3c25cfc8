"""A person's deadlines as an iCalendar feed (RFC 5545), which a calendar program
subscribes to at a secret address (`agents.services.reset_calendar_token`).

What it holds: for each plan the person is on that can still be handed in (a draft, or a
revision asked for), the moment submission closes (the plan's own extension, or the
cycle's revision deadline); for each plan the person reviews whose review is not sent, the
review's due date as a whole day. Deadlines that passed stay for 60 days, so that a
calendar does not lose them the moment they pass.
"""

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agenplan.site import absolute_url, site_url
from agents.models import User
from plans.enums import PlanState
from plans.models import ActionPlan
from plans.selectors import member_plan_ids
from plans.services.workflow import submission_deadline_for

from .enums import ReviewState
from .selectors.queue import queue_assignments

KEPT_AFTER = dt.timedelta(days=60)
PRODUCT_ID = "-//AgenPlan//Tenggat//ID"


@dataclass(frozen=True)
class Deadline:
    uid: str
    summary: str
    description: str
    url: str
    # A moment (an aware datetime) or a whole day (a date).
    when: dt.datetime | dt.date


def deadlines_of(user: User, *, now: dt.datetime | None = None) -> list[Deadline]:
    """The person's deadlines in the feed, soonest first. Two queries."""
    now = now or timezone.now()
    since = now - KEPT_AFTER
    found = []
    profile = getattr(user, "agent_profile", None)
    if profile is not None:
        plans = (
            ActionPlan.objects.filter(pk__in=member_plan_ids(profile))
            .filter(state__in=PlanState.EDITABLE)
            .select_related("cycle")
        )
        for plan in plans:
            when = submission_deadline_for(plan)
            if when < since:
                continue
            revision = plan.state == PlanState.REVISION_REQUESTED
            if revision:
                summary = _("Batas pengajuan revisi: %(title)s")
            else:
                summary = _("Batas pengajuan: %(title)s")
            found.append(
                Deadline(
                    uid=f"plan-{plan.pk}-{plan.state}",
                    summary=summary % {"title": plan.title},
                    description=plan.cycle.name,
                    url=absolute_url(reverse("plans:detail", args=[plan.pk])),
                    when=when,
                )
            )
    today = timezone.localdate(now)
    for assignment in queue_assignments(user):
        waiting = assignment.review_state != ReviewState.SUBMITTED
        if not waiting or assignment.plan.state != PlanState.IN_REVIEW:
            continue
        if assignment.due_date < today - KEPT_AFTER:
            continue
        found.append(
            Deadline(
                uid=f"review-{assignment.pk}",
                summary=_("Tenggat penilaian: %(title)s") % {"title": assignment.plan.title},
                description=assignment.plan.cycle.name,
                url=absolute_url(reverse("assessment:review", args=[assignment.plan_id])),
                when=assignment.due_date,
            )
        )
    return sorted(found, key=_sort_key)


def _sort_key(deadline: Deadline):
    when = deadline.when
    if not isinstance(when, dt.datetime):
        when = timezone.make_aware(dt.datetime.combine(when, dt.time.min))
    return (when, deadline.uid)


# --- RFC 5545 ---------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and newlines escaped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def _fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1  # back to the start of a character
        parts.append(encoded[start:end].decode())
        start, limit = end, 74  # continuation lines begin with a space
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_text(deadlines: list[Deadline], *, now: dt.datetime | None = None) -> str:
    """The feed: one VEVENT per deadline; a moment in UTC, a day as a DATE (one day
    long); CRLF line ends, folded lines."""
    now = now or timezone.now()
    host = site_url().split("://")[-1] or "agenplan"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_escape(_('Tenggat AgenPlan'))}",
        "X-WR-TIMEZONE:Asia/Makassar",
    ]
    for deadline in deadlines:
        if isinstance(deadline.when, dt.datetime):
            start = f"DTSTART:{_utc(deadline.when)}"
        else:
            start = f"DTSTART;VALUE=DATE:{deadline.when:%Y%m%d}"
        lines += [
            "BEGIN:VEVENT",
            f"UID:{deadline.uid}@{host}",
            f"DTSTAMP:{_utc(now)}",
            start,
            f"SUMMARY:{_escape(deadline.summary)}",
            f"DESCRIPTION:{_escape(deadline.description)}",
            *([f"URL:{deadline.url}"] if deadline.url.startswith("http") else []),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)
