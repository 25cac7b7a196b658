"""Thông báo: a person's notices, newest first; opening one marks it read and goes to its object."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import queries, services
from .models import Notice


@login_required
def notice_list(request):
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("notice") if i.isdigit()]
        services.notices_mark_read(user=request.user, ids=ids or None)
        return redirect("notices:list")
    unread_only = request.GET.get("show") == "unread"
    return render(request, "notices/list.html", {
        "notices": queries.notices_page(request.user, unread_only=unread_only), "unread_only": unread_only,
        "unread": queries.notices_unread(request.user).count(),
    })


@require_POST
@login_required
def notice_open(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    services.notices_mark_read(user=request.user, ids=[notice.pk])
    link = notice.link
    if not link:
        raise Http404
    return redirect(link)
