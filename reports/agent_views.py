"""The agent's portfolio (`selectors.portfolio`); its PDF is a report job
(`ReportKind.AGENT_PORTFOLIO`, asked for from the page like every other document).

The agent, the head of their agency, the Biro Organisasi and leadership see it
(`reports.view_portfolio`); everyone else is answered 404, as for an agent that does not
exist. Each plan on it shows what the viewer may see of that plan.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors.portfolio import agent_portfolio, get_portfolio_agent


def _portfolio(request, pk):
    agent = get_portfolio_agent(request.user, pk)
    if agent is None:
        raise Http404("No such agent")
    return agent_portfolio(agent, request.user)


@login_required
@require_GET
def portfolio(request, pk):
    return render(request, "reports/portfolio.html", {"portfolio": _portfolio(request, pk)})
