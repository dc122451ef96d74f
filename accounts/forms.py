from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import services, throttle


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_(
            "Used for team invitations and to reset your password. Never shown to other "
            "people. We send a link to confirm it."
        ),
        max_length=254,
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("signup", _("Create my account")))

    def clean_email(self) -> str:
        # Whether an account uses it already is never said here: the sign-up service
        # mails that address instead (accounts/services.py, account_sign_up).
        return self.cleaned_data["email"].strip().lower()


class EmailChangeForm(forms.Form):
    email = forms.EmailField(label=_("New email address"), max_length=254)
    password = forms.CharField(
        label=_("Your password, to confirm"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email == self.user.email.lower():
            raise forms.ValidationError(_("This is already your address."))
        return email

    def clean_password(self) -> str:
        """Checked against guessing: a few wrong passwords an hour, then none is tried."""
        password = self.cleaned_data["password"]
        key = str(self.user.pk)
        if throttle.throttle_exhausted(rule=throttle.PASSWORD_PER_ACCOUNT, key=key):
            raise forms.ValidationError(
                _("Too many wrong passwords in the last hour. Try again later.")
            )
        if not self.user.check_password(password):
            throttle.throttle_allow(rule=throttle.PASSWORD_PER_ACCOUNT, key=key)
            raise forms.ValidationError(_("This is not your password."))
        return password


class PasswordResetRequestForm(PasswordResetForm):
    """Django's reset form, with the same outcome whatever the address.

    An address no account can use gets a message saying so, rather than nothing: one
    message leaves either way, so neither the page nor the time it takes tells whether
    an account uses the address. Each address gets at most a few messages an hour (the
    view caps each client address too); past that the page is the same and nothing
    leaves, since the messages sent already are in that mailbox.
    """

    email = forms.EmailField(label=_("Email address"), max_length=254)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        """Queued as a task (notifications.services.mail_queue), in the active language."""
        from django.template import loader

        from notifications.services import mail_queue

        subject = loader.render_to_string(subject_template_name, context)
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        mail_queue(to=to_email, subject=subject, text=body, html=html)

    def save(self, *args, **kwargs) -> None:
        email, request = self.cleaned_data["email"], kwargs.get("request")
        if not throttle.throttle_allow(rule=throttle.RESET_PER_ADDRESS, key=email):
            return
        if list(self.get_users(email)):
            super().save(*args, **kwargs)
        elif request is not None:
            services.password_reset_unknown_address(
                email=email, link_for=request.build_absolute_uri
            )


class SetPasswordConfirmingForm(SetPasswordForm):
    """Setting a password from a reset link also confirms the address: the link reached
    it (Django's token no longer holds once the account's address changes)."""

    def save(self, commit=True):
        user = super().save(commit=commit)
        if commit:
            services.email_confirm(user=user, email=user.email)
        return user


def is_their_password(request, user, password: str) -> bool:
    """Whether `password` is the signed-in user's, asked as the log-in asks: through
    django-axes, so a wrong one counts towards the same lockout of this username and
    address, and a locked-out pair is refused (the middleware then answers with the
    lockout page, as for the log-in)."""
    found = authenticate(request, username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


class ThrottledPasswordChangeForm(PasswordChangeForm):
    """Django's password change, its old password checked through the log-in throttle."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        if not is_their_password(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password, to confirm"), widget=forms.PasswordInput, strip=False
    )

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():  # signed in through single sign-on only
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not is_their_password(self.request, self.user, password):
            raise forms.ValidationError(_("This is not your password."))
        return password


class UsernameLengthChecked:
    """Check the username's length before authenticating.

    Django's log-in form sets the field's max_length after creating it, so nothing
    enforces it; a failed login with a longer username then reaches django-axes,
    which records it in a 255-character column (a server error on PostgreSQL).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(UsernameLengthChecked, AuthenticationForm):
    pass


class AdminLoginForm(UsernameLengthChecked, AdminAuthenticationForm):
    pass
