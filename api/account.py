"""*My account*'s personal access tokens: created (the token shown once), listed, revoked."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from . import tokens
from .forms import TokenForm


def _page(request, form, secret: str = ""):
    listed = tokens.live_tokens(request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": listed, "secret": secret, "limit": tokens.TOKENS_PER_PERSON},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = tokens.token_create(owner=request.user, **form.cleaned_data)
            except tokens.TooManyTokens:
                messages.error(request, _("You have too many tokens: revoke one first."))
            else:
                # Shown in this response only: the database keeps its digest, not the token.
                return _page(request, TokenForm(), secret)
        return _page(request, form)
    return _page(request, TokenForm())


@login_required
@require_POST
def token_revoke(request, pk: int):
    if tokens.token_revoke(owner=request.user, pk=pk):
        messages.success(request, _("The token is revoked: it no longer opens the API."))
    return redirect("api_tokens")
