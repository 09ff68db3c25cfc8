"""The profile's API tokens: make one (its secret shown once, on the answer to the POST
itself, never stored nor redirected with), and revoke one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .account_views import render_profile
from .forms import ApiTokenForm
from .models import ApiToken
from .tokens import create_token, revoke_token


@never_cache
@login_required
@require_POST
def api_token_create(request):
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            token, secret = create_token(
                request.user,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown on this answer only: the page says to copy it now.
            return render_profile(request, new_token={"token": token, "secret": secret})
    return render_profile(request, token_form=form, status=400)


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user=request.user).first()
    if token is None:
        raise Http404("No such token")
    revoke_token(token, by=request.user)
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("profile")
