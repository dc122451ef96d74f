from django.contrib.auth import views as auth_views
from django.urls import path

from . import throttle, views
from .forms import LoginForm, PasswordResetRequestForm, SetPasswordConfirmingForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("signup/done/", views.signup_done, name="signup_done"),
    path("", views.account, name="account"),
    path("delete/", views.account_delete, name="account_delete"),
    path("email/", views.email_change, name="email_change"),
    path("email/confirm/", views.email_confirmation_send, name="email_confirmation_send"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            redirect_authenticated_user=True, authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    # Password reset: Django's own views. Each client address may ask a few times an
    # hour, and each address receives a few messages an hour (PasswordResetRequestForm).
    path(
        "password/reset/",
        views.throttled_per_client(throttle.RESET_PER_CLIENT)(
            auth_views.PasswordResetView.as_view(
                form_class=PasswordResetRequestForm,
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=SetPasswordConfirmingForm),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
