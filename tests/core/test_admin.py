"""Django admin: every chiso model is registered, in Vietnamese, with search and filters."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from chiso.accounts.models import Role
from chiso.audit.admin import AuditedAdmin

# Kept out of the admin on purpose: answers waiting for their batch must not be looked at one by one,
# and spent links and enumerators' submission keys are keyed hashes with nothing to read (docs/security.md).
NOT_IN_THE_ADMIN = {"HeldResponse", "SpentLink", "OfflineKey"}
CHISO_MODELS = [m for m in apps.get_models() if m.__module__.startswith("chiso.") and m.__name__ not in NOT_IN_THE_ADMIN]
# Edited in the admin, every change recorded (audit.admin.AuditedAdmin): accounts and two reference tables.
EDITABLE_IN_THE_ADMIN = {"User", "Holiday", "FeedbackType"}


def test_every_chiso_model_is_in_the_admin():
    missing = [m.__name__ for m in CHISO_MODELS if m not in admin.site._registry]
    assert not missing
    hidden = [m.__name__ for m in apps.get_models() if m.__name__ in NOT_IN_THE_ADMIN and m in admin.site._registry]
    assert not hidden


@pytest.mark.parametrize("model", CHISO_MODELS, ids=lambda m: m.__name__)
def test_no_admin_can_add_change_or_delete_state(rf, make_user, model):
    """The admin is for looking: every change goes through a service that writes the audit trail."""
    request = rf.get("/")
    request.user = make_user("quantri", Role.ADMINISTRATOR)
    model_admin = admin.site._registry[model]
    allowed = (model_admin.has_add_permission(request), model_admin.has_change_permission(request),
               model_admin.has_delete_permission(request))
    if model.__name__ in EDITABLE_IN_THE_ADMIN:
        assert isinstance(model_admin, AuditedAdmin)
    else:
        assert allowed == (False, False, False)
    for inline in model_admin.inlines:
        instance = inline(model, admin.site)
        assert not instance.has_add_permission(request, None) and not instance.has_delete_permission(request, None)


@pytest.mark.parametrize("model", CHISO_MODELS, ids=lambda m: m.__name__)
def test_changelist_searches_and_filters_in_vietnamese(client, make_user, blocks, model):
    client.force_login(make_user("quantri", Role.ADMINISTRATOR))
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, f"{model.__name__} has no search"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url, {"q": "Cao Bằng"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="vi"' in html and 'id="searchbar"' in html
    assert "Tìm kiếm" in html  # Django's own Vietnamese catalogue
