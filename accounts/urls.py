from django.contrib.auth import views as auth_views
from django.urls import path

from . import oidc, throttle, views
from .forms import PasswordResetRequestForm, SetPasswordConfirmingForm

local = views.local_accounts_only

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("", views.account, name="account"),
    path("data/", views.account_data, name="account_data"),
    path("delete/", views.account_delete, name="account_delete"),
    path("email/", views.email_change, name="email_change"),
    path("email/confirm/", views.email_confirmation_send, name="email_confirmation_send"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    # Single sign-on (accounts/oidc.py): 404 while it is off.
    path("oidc/authenticate/", oidc.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("oidc/callback/", oidc.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # Password reset: Django's own views. Each client address may ask a few times an
    # hour, and each address receives a few messages an hour (PasswordResetRequestForm).
    path(
        "password/reset/",
        local(
            views.throttled_per_client(throttle.RESET_PER_CLIENT)(
                auth_views.PasswordResetView.as_view(
                    form_class=PasswordResetRequestForm,
                    email_template_name="registration/password_reset_email.txt",
                )
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        local(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        local(auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordConfirmingForm)),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        local(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]
