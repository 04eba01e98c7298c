from django import forms

from apps.sso.discovery import DiscoveryError, discover
from apps.sso.models import IdentityProvider


class IdentityProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        max_length=2000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    class Meta:
        model = IdentityProvider
        fields = ["issuer", "client_id", "client_secret", "jit_provisioning", "enforced"]
        labels = {
            "issuer": "Issuer URL",
            "client_id": "Client ID",
            "jit_provisioning": "Let people from the verified domains join without an invitation",
            "enforced": "Enforce single sign-on",
        }
        help_texts = {
            "issuer": "As the provider names itself, e.g. https://login.microsoftonline.com/"
            "TENANT-ID/v2.0, https://YOUR-ORG.okta.com or https://accounts.google.com.",
            "jit_provisioning": "They join as members (just-in-time provisioning). Otherwise "
            "only invited people and existing members can sign in.",
            "enforced": "Members at the verified domains can no longer log in with a password, "
            "and those signed in now are signed out. Owners still can, to recover if the "
            "provider breaks.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.pk is not None
        self.fields["client_secret"].help_text = (
            "Stored encrypted and never shown again. Leave empty to keep the stored secret."
            if stored
            else "Stored encrypted and never shown again."
        )
        self.fields["client_secret"].required = not stored

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if not issuer.startswith("https://") and not self._local(issuer):
            raise forms.ValidationError("The issuer URL must start with https://.")
        try:
            document = discover(issuer)
        except DiscoveryError as error:
            raise forms.ValidationError(str(error)) from None
        return document["issuer"]  # the provider's own spelling (a trailing slash or not)

    @staticmethod
    def _local(url: str) -> bool:
        """http:// only for a provider on this machine (a development or test provider)."""
        from urllib.parse import urlsplit

        return url.startswith("http://") and urlsplit(url).hostname in ("127.0.0.1", "localhost")


class DomainForm(forms.Form):
    domain = forms.CharField(
        label="E-mail domain",
        max_length=253,
        widget=forms.TextInput(attrs={"placeholder": "acme.com", "autocomplete": "off"}),
    )
