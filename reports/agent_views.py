"""The agent's portfolio (`selectors.portfolio`); its PDF is a report job
(`ReportKind.AGENT_PORTFOLIO`, asked for from the page like every other document).

The agent, the head of their agency, the Biro Organisasi and leadership see it
(`reports.view_portfolio`); everyone else is answered 404, as for an agent that does not
exist. Each plan on it shows what the viewer may see of that plan.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors.portfolio import agent_portfolio, get_portfolio_agent


@login_required
@require_GET
def portfolio(request, pk):
    portfolio = agent_portfolio(get_portfolio_agent(request.user, pk), request.user)
    return render(request, "reports/portfolio.html", {"portfolio": portfolio})
