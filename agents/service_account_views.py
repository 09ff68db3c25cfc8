"""Service accounts for other systems (SIMPEG, SIASN, a dashboard built elsewhere), made
by an admin (`agents.manage_service_accounts`) with their first API token, whose secret is
shown once, on the answer to the POST; their tokens are listed and revoked here too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from rules.contrib.views import permission_required

from .forms import ServiceAccountForm
from .models import ApiToken, User
from .tokens import create_service_account, create_token, revoke_token


def _page(request, *, form=None, created=None, status=200):
    accounts = (
        User.objects.filter(is_service_account=True)
        .prefetch_related("role_grants")
        .order_by("username")
    )
    tokens = ApiToken.objects.filter(
        user__is_service_account=True, revoked_at__isnull=True
    ).select_related("user")
    by_account = {}
    for token in tokens:
        by_account.setdefault(token.user_id, []).append(token)
    return render(
        request,
        "agents/service_accounts.html",
        {
            "form": form or ServiceAccountForm(),
            "rows": [(account, by_account.get(account.pk, [])) for account in accounts],
            "created": created,
        },
        status=status,
    )


@never_cache
@login_required
@permission_required("agents.manage_service_accounts", raise_exception=True)
@require_http_methods(["GET", "POST"])
def service_accounts(request):
    if request.method == "GET":
        return _page(request)
    form = ServiceAccountForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # no account without its token
                account = create_service_account(
                    username=data["username"],
                    name=data["system"],
                    email=data["email"],
                    roles=data["roles"],
                    by=request.user,
                )
                token, secret = create_token(
                    account, name=data["name"] or data["system"], scopes=form.scopes(),
                    by=request.user,
                )  # fmt: skip
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except IntegrityError:
            form.add_error("username", _("Nama pengguna ini sudah dipakai."))
        else:
            created = {"account": account, "token": token, "secret": secret}
            return _page(request, created=created)
    return _page(request, form=form, status=400)


@login_required
@permission_required("agents.manage_service_accounts", raise_exception=True)
@require_POST
def service_account_token_revoke(request, pk: int):
    token = ApiToken.objects.filter(pk=pk, user__is_service_account=True).first()
    if token is None:
        raise Http404("No such token")
    revoke_token(token, by=request.user)
    messages.success(request, _("Token %(name)s dicabut.") % {"name": token.name})
    return redirect("service_accounts")
