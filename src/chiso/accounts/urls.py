from django.contrib.auth import views as auth_views
from django.urls import path

# Django's admin (first in INSTALLED_APPS) ships registration/password_change_*.html in English
# admin dress; ours have names of their own so the site's layout is the one found.
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(template_name="accounts/password_change_form.html"), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"), name="password_change_done"),
]
