"""The page where a person makes and revokes API tokens for their machine clients."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .models import ApiToken
from .services import api_token_create, api_token_revoke


class TokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100,
                           help_text=gettext_lazy("What will use it, e.g. “the province's data warehouse”."))


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, raw = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            form.add_error("name", error)
        else:
            form = TokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "raw": raw})


@require_POST
@login_required
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect("api_tokens:list")
