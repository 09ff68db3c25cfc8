"""Forms of the account pages: sign in and change password, in Bahasa Indonesia."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm, UsernameField
from django.utils.translation import gettext_lazy as _

from .enums import ApiAccess, ApiArea, Role
from .models import User
from .tokens import SERVICE_ROLES


class LoginForm(AuthenticationForm):
    username = UsernameField(
        label=_("Nama pengguna"),
        help_text=_("Nama pengguna yang Anda terima dari Biro Organisasi."),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Kata sandi"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecil."
        ),
        "inactive": _("Akun ini tidak aktif. Hubungi Biro Organisasi."),
    }


class AuditFilterForm(forms.Form):
    """Filters of the audit page (all optional, in the URL): who, what, when, which object."""

    who = forms.CharField(
        label=_("Pelaku"),
        required=False,
        max_length=100,
        help_text=_("Nama, nama pengguna atau NIP."),
    )
    action = forms.CharField(
        label=_("Tindakan"),
        required=False,
        max_length=60,
        help_text=_("Awal nama tindakan, misalnya admin. atau participants."),
    )
    date_from = forms.DateField(
        label=_("Dari tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Sampai tanggal"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    model = forms.ChoiceField(label=_("Jenis objek"), required=False)
    object_id = forms.IntegerField(
        label=_("ID objek"), required=False, min_value=0, max_value=2**63 - 1
    )
    q = forms.CharField(label=_("Nama objek memuat"), required=False, max_length=100)

    def __init__(self, *args, models=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("Semua")), *models]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("Tanggal akhir tidak boleh sebelum tanggal awal."))
        return data


class PasswordResetRequestForm(forms.Form):
    """ "Lupa kata sandi": the address to mail a link to (the page never says whether it
    has an account)."""

    email = forms.EmailField(
        label=_("Alamat e-mail"),
        max_length=254,
        help_text=_("Alamat e-mail yang tercatat pada akun AgenPlan Anda."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


INVITATION_STATUSES = [
    ("", _("Semua")),
    ("not_invited", _("Belum diundang")),
    ("pending", _("Undangan berlaku, belum diterima")),
    ("expired", _("Undangan kedaluwarsa")),
]


class InvitationFilterForm(forms.Form):
    """Filters of the invitations page (in the URL)."""

    q = forms.CharField(
        label=_("Cari"),
        required=False,
        max_length=100,
        help_text=_("Nama, NIP, nama pengguna atau e-mail."),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=INVITATION_STATUSES)


class ProfileForm(forms.ModelForm):
    """A person's own page: how to reach them, which e-mails they want, their language."""

    class Meta:
        model = User
        fields = [
            "name",
            "email",
            "phone",
            "language",
            "email_assignment",
            "email_deadline",
            "email_decision",
            "email_mentoring",
            "email_digest",
        ]
        labels = {"email": _("Alamat e-mail")}
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["language"].required = True
        self.fields["language"].choices = list(settings.LANGUAGES)

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class NewPasswordForm(SetPasswordForm):
    """Setting a password from an invitation's or a reset's link, in the site's words."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = _("Kata sandi baru")
        self.fields["new_password2"].label = _("Konfirmasi kata sandi baru")
        self.fields["new_password1"].widget.attrs["autofocus"] = True


class ApiTokenForm(forms.Form):
    """A new personal API token: its name and, per area of the API, no access, read only,
    or read and write (agents.tokens.clean_scopes checks the choice again)."""

    name = forms.CharField(
        label=_("Nama token"),
        max_length=100,
        help_text=_("Untuk apa token ini, misalnya SIMPEG atau dasbor Bappeda."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Tidak ada")), *ApiAccess.choices]
        for area, label in ApiArea.choices:
            self.fields[f"scope_{area}"] = forms.ChoiceField(
                label=label, choices=choices, required=False
            )

    def scopes(self) -> dict:
        return {
            area: self.cleaned_data[f"scope_{area}"]
            for area in ApiArea.values
            if self.cleaned_data.get(f"scope_{area}")
        }

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"scope_{area}") for area in ApiArea.values):
            raise forms.ValidationError(_("Pilih akses untuk sedikitnya satu area."))
        return cleaned


class ServiceAccountForm(ApiTokenForm):
    """A service account for another system and its first token: the account's user name,
    the system's name, the roles its integration needs, the token's scopes."""

    username = forms.CharField(
        label=_("Nama pengguna akun"),
        max_length=150,
        help_text=_("Huruf, angka dan @ . + - _ saja, misalnya simpeg."),
    )
    system = forms.CharField(label=_("Nama sistem"), max_length=150)
    email = forms.EmailField(label=_("Surel pengelola sistem"), required=False)
    roles = forms.MultipleChoiceField(
        label=_("Peran"),
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Hanya yang diperlukan integrasinya; sinkronisasi peserta perlu koordinator."),
    )
    field_order = ["username", "system", "email", "roles", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"].choices = [
            (role, label) for role, label in Role.choices if role in SERVICE_ROLES
        ]
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Bawaan: nama sistem.")
