from allauth.account import forms as allauth_forms
from django import forms
from django.urls import reverse_lazy

from apps.accounts import sso
from apps.accounts.models import User, normalize_email


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up (e-mail, password, verification) with our name field. The form in use
    (ACCOUNT_FORMS) is apps.organizations.forms.OrganizationSignupForm: it adds the organization."""

    name = forms.CharField(max_length=150, label="Your name")
    field_order = ["name", "email", "password1"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Work e-mail"
        self.fields["email"].widget.attrs["placeholder"] = "you@company.example"
        self.fields["password1"].label = "Password"
        self.order_fields(self.field_order)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail"
        self.fields["login"].widget.attrs.update(
            autofocus=True, autocomplete="email", placeholder="you@company.example"
        )
        # While the address is typed, the page says whether its company signs it in (apps.sso).
        self.fields["login"].widget.attrs.update(
            {
                "hx-get": reverse_lazy("sso:discover"),
                "hx-trigger": "input changed delay:500ms, change",
                "hx-target": "#sso-hint",
                "hx-sync": "this:replace",
            }
        )
        self.fields["password"].help_text = ""

    sso_route: sso.SsoRoute | None = None

    def clean_login(self) -> str:
        return normalize_email(self.cleaned_data["login"])

    def clean(self):
        """An organization that enforces single sign-on takes its members' password log-in away
        (its owners keep it, to recover a broken provider). Refused before the password is
        checked: the answer says nothing about the password."""
        self.sso_route = sso.sso_route(self.cleaned_data.get("login", ""))
        if self.sso_route and self.sso_route.password_refused:
            raise forms.ValidationError(
                f"{self.sso_route.organization_name} signs you in through its single sign-on, "
                "not with a password: continue with the button below.",
                code="sso_enforced",
            )
        return super().clean()


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "Your name"}
