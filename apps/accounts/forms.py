from allauth.account import forms as allauth_forms
from django import forms

from apps.accounts.models import User, normalize_email


class SignupForm(allauth_forms.SignupForm):
    """allauth's sign-up (e-mail, password, verification) with our name and organization."""

    name = forms.CharField(max_length=150, label="Your name")
    organization_name = forms.CharField(
        max_length=120,
        label="Organization name",
        help_text="Your company or department. You can add teams and invite colleagues next.",
    )
    field_order = ["name", "email", "password1", "organization_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = "Work e-mail"
        self.fields["email"].widget.attrs["placeholder"] = "you@company.example"
        self.fields["password1"].label = "Password"
        self.order_fields(self.field_order)

    def custom_signup(self, request, user) -> None:
        from apps.organizations import services as org_services

        org_services.organization_create(name=self.cleaned_data["organization_name"], owner=user)


class InvitedSignupForm(forms.Form):
    """Sign-up through an invitation link: the link proves the address, so no verification."""

    name = forms.CharField(max_length=150, label="Your name")
    email = forms.EmailField(label="Work e-mail", disabled=True, required=False)
    password = allauth_forms.SetPasswordField(label="Password")

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, initial={"email": invitation.email}, **kwargs)
        self.invitation = invitation
        self.fields["email"].help_text = f"You were invited to {invitation.organization.name}."

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            from allauth.account.adapter import get_adapter

            candidate = User(email=self.invitation.email, name=cleaned.get("name", ""))
            try:
                get_adapter().clean_password(password, user=candidate)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "E-mail"
        self.fields["login"].widget.attrs.update(
            autofocus=True, autocomplete="email", placeholder="you@company.example"
        )
        self.fields["password"].help_text = ""

    def clean_login(self) -> str:
        return normalize_email(self.cleaned_data["login"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name"]
        labels = {"name": "Your name"}
