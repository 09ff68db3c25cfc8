"""The agent's portfolio on paper: the page's content (`reports.selectors.portfolio`, as
the person who prints it may see it) on A4, rendered at once for the person who asks.

It is a working document, not an official one: it carries no verification code, since
what it shows depends on who printed it.
"""

from django.utils.text import slugify
from django.utils.translation import gettext as _

from ..selectors.portfolio import Portfolio
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
