from allauth.account import forms as allauth_forms
from django import forms

from apps.accounts.forms import SignupForm
from apps.accounts.models import User
from apps.organizations import services
from apps.organizations.models import TIME_ZONE_CHOICES, Organization, Role, Team


class OrganizationForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES,
        initial="UTC",
        help_text="Round dates are entered and shown in this time zone.",
    )

    class Meta:
        model = Organization
        fields = ["name", "time_zone"]
        labels = {"name": "Organization name"}


class OrganizationDeleteForm(forms.Form):
    confirm_name = forms.CharField(
        label="Type the organization's name to confirm",
        help_text=(
            "In 14 days this deletes every team, member, round, answer, plan and report, with"
            " their files. Until then any owner can cancel; after that it cannot be undone."
        ),
    )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


class TeamMemberAddForm(forms.Form):
    membership = forms.ModelChoiceField(queryset=None, label="Organization member")
    is_lead = forms.BooleanField(required=False, label="Team lead")

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = candidates
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user.name} <{m.user.email}>" if m.user.name else m.user.email
        )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.TypedChoiceField(coerce=int, initial=Role.MEMBER)
    teams = forms.ModelMultipleChoiceField(
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="They join these teams when they accept.",
    )

    def __init__(self, *args, roles, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]
        self.fields["teams"].queryset = teams


class RoleForm(forms.Form):
    role = forms.TypedChoiceField(coerce=int)

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(role.value, role.label) for role in roles]


class OrganizationSignupForm(SignupForm):
    """The open sign-up (ACCOUNT_FORMS): an account, and the organization it owns."""

    organization_name = forms.CharField(
        max_length=120,
        label="Organization name",
        help_text="Your company or department. You can add teams and invite colleagues next.",
    )
    field_order = ["name", "email", "password1", "organization_name"]

    def custom_signup(self, request, user) -> None:
        services.organization_create(name=self.cleaned_data["organization_name"], owner=user)


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
