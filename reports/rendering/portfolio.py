"""The agent's portfolio on paper: the page's content (`reports.selectors.portfolio`, as
the person who asked for it may see it) on A4, rendered by a worker as a report job.

It is a working document, not an official one: it carries no verification code, since
what it shows depends on who printed it.
"""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from agents.models import Agent

from ..selectors.portfolio import Portfolio, agent_portfolio
from . import Rendered, ReportError
from .pdf import render_pdf


def portfolio_filename(portfolio: Portfolio) -> str:
    slug = slugify(portfolio.agent.user.name)[:60].strip("-") or "agen"
    return f"portofolio-{portfolio.agent.pk}-{slug}.pdf"


def render_portfolio(portfolio: Portfolio) -> bytes:
    return render_pdf(
        "pdf/portfolio.html",
        {
            "portfolio": portfolio,
            "agent": portfolio.agent,
            "document_title": _("Portofolio Agen Perubahan"),
        },
    )


def render_portfolio_job(job) -> Rendered:
    agent = Agent.objects.select_related("user", "agency").filter(pk=job.params["agent_id"]).first()
    if agent is None:
        raise ReportError(_("Agen perubahan ini tidak ada lagi."), code="not_found")
    portfolio = agent_portfolio(agent, job.requested_by)
    return Rendered(
        filename=portfolio_filename(portfolio),
        content=render_portfolio(portfolio),
        title=_("Portofolio %(name)s") % {"name": agent.user.name},
        agency_name=agent.agency.name,
    )
