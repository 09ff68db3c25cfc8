"""People: the custom User (the ASN person), the change-agent appointment, roles, audit log.

The person's identity (name with titles, NIP, jabatan, pangkat/golongan, unit of work)
lives on the User, because agency heads and reviewers carry the same identity (the
signature block prints the head's NIP and pangkat). The Agent profile is the
appointment as change agent: the SK (decree) number and date. Having an active Agent
profile is what makes a user an agent; every other role is a RoleGrant row.
"""

import rules
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .enums import ApiAccess, PangkatGolongan, Role
from .fields import NipField
from .validators import validate_nip, validate_phone

GRANTABLE_ROLES = [r for r in Role.values if r != Role.AGENT]


class User(AbstractUser):
    name = models.CharField(
        _("nama lengkap"),
        max_length=200,
        help_text=_("Nama lengkap dengan gelar, misalnya Dr. Siti Rahmawati, S.E., M.Si."),
    )
    nip = NipField(
        _("NIP"),
        null=True,
        blank=True,
        unique=True,
        validators=[validate_nip],
        help_text=_("18 digit tanpa spasi, misalnya 196608011988031001."),
    )
    jabatan = models.CharField(_("jabatan"), max_length=200, blank=True)
    pangkat_golongan = models.CharField(
        _("pangkat/golongan"), max_length=5, choices=PangkatGolongan.choices, blank=True
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("unit kerja"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    language = models.CharField(
        _("bahasa"), max_length=5, choices=settings.LANGUAGES, default="id", blank=True
    )
    phone = models.CharField(
        _("nomor telepon"),
        max_length=30,
        blank=True,
        validators=[validate_phone],
        help_text=_("Nomor telepon atau WhatsApp, misalnya 0812-3456-7890."),
    )
    # E-mail per kind of event (the bell in the app shows every notification whatever
    # these say), and the daily digest that gathers the chosen e-mails into one.
    email_assignment = models.BooleanField(
        _("e-mail penugasan dan penilaian"),
        default=True,
        help_text=_("Penugasan reviewer, revisi yang siap dinilai, penilaian dibuka kembali."),
    )
    email_deadline = models.BooleanField(
        _("e-mail tenggat"),
        default=True,
        help_text=_("Pengingat tenggat yang mendekat dan yang terlewat."),
    )
    email_decision = models.BooleanField(
        _("e-mail keputusan"), default=True, help_text=_("Keputusan atas rencana Anda.")
    )
    email_mentoring = models.BooleanField(
        _("e-mail komentar pendampingan"),
        default=True,
        help_text=_("Balasan baru pada utas pendampingan yang Anda ikuti."),
    )
    email_digest = models.BooleanField(
        _("ringkasan harian"),
        default=False,
        help_text=_(
            "Kumpulkan e-mail yang dipilih di atas menjadi satu e-mail setiap pagi, "
            "bukan satu e-mail per pemberitahuan."
        ),
    )
    # The SHA-256 of the secret in the address of the person's calendar of deadlines
    # (`agents.services.reset_calendar_token`); the secret itself is shown once, not kept.
    calendar_token_hash = models.CharField(max_length=64, blank=True, default="", db_index=True)

    # An account for another system's integration (SIMPEG, a dashboard): made by an admin,
    # it signs in with API tokens only, never with a password.
    is_service_account = models.BooleanField(_("akun layanan"), default=False)

    objects = UserManager()

    REQUIRED_FIELDS = ["email", "name"]

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nip__isnull=True) | models.Q(nip__regex=r"^[0-9]{18}$"),
                name="user_nip_18_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(pangkat_golongan="")
                | models.Q(pangkat_golongan__in=PangkatGolongan.values),
                name="user_pangkat_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.username

    def get_full_name(self) -> str:
        return self.name or self.username

    def get_short_name(self) -> str:
        return self.name.split(",")[0] if self.name else self.username

    def has_perm(self, perm: str, obj=None) -> bool:
        """An application rule is decided by the user's roles alone; the flags never pass it.

        Django lets an active superuser pass every permission, and ModelBackend lets a
        staff account pass any model permission given in the admin. In AgenPlan those
        flags open the admin site and nothing else (a person who must act as coordinator is
        granted the role), so a permission that names a django-rules rule (a page, an
        action, who may see scores) is tested by the rule only. Permissions that are not
        rules keep Django's meaning: the admin site checks its model permissions through
        `agents.admin.ModelPermissionAdmin`, which asks ModelBackend directly, because
        `<app>.view_<model>` is also the name of an application rule.
        """
        if rules.perm_exists(perm):
            return self.is_active and rules.has_perm(perm, self, obj)
        return super().has_perm(perm, obj)


class Agent(models.Model):
    """The appointment of a user as change agent (agen perubahan) of their agency."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="agent_profile", verbose_name=_("pengguna")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="agents", verbose_name=_("perangkat daerah")
    )
    sk_number = models.CharField(
        _("nomor SK penunjukan"),
        max_length=120,
        blank=True,
        help_text=_("Nomor surat keputusan penunjukan agen perubahan."),
    )
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agen perubahan")
        verbose_name_plural = _("agen perubahan")
        ordering = ["user__name"]
        indexes = [models.Index(fields=["agency", "is_active"])]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def nip(self) -> str | None:
        return self.user.nip


class RoleGrant(models.Model):
    """A role other than agent held by a user; an agency head's grant names the agency."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_grants",
        verbose_name=_("perangkat daerah"),
        help_text=_("Wajib untuk kepala perangkat daerah; kosong untuk peran lain."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("peran")
        verbose_name_plural = _("peran")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=GRANTABLE_ROLES), name="rolegrant_role_grantable"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(role=Role.AGENCY_HEAD, agency__isnull=False)
                    | (~models.Q(role=Role.AGENCY_HEAD) & models.Q(agency__isnull=True))
                ),
                name="rolegrant_agency_only_for_head",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(agency__isnull=True),
                name="rolegrant_unique_global",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency"],
                condition=models.Q(agency__isnull=False),
                name="rolegrant_unique_scoped",
            ),
        ]

    def __str__(self) -> str:
        if self.agency_id:
            return f"{self.get_role_display()} — {self.agency}"
        return str(self.get_role_display())


class ActivityLog(models.Model):
    """Who did what, when, to which object: written by every state-changing service."""

    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    action = models.CharField(_("tindakan"), max_length=60)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(max_length=255)
    from_state = models.CharField(max_length=30, blank=True)
    to_state = models.CharField(max_length=30, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Set by the services from the moment of the action (`now=`), not by the database.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("catatan aktivitas")
        verbose_name_plural = _("catatan aktivitas")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class Notification(models.Model):
    """An in-app notification (the bell), also mailed once by a Celery task.

    `dedupe_key` makes sending idempotent: the same event for the same recipient is
    one row, however often the service or task runs; `emailed_at` is set in the same
    transaction that hands the mail to the backend, so a retried task never mails twice.
    """

    recipient = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("penerima")
    )
    kind = models.CharField(_("jenis"), max_length=40)
    title = models.CharField(_("judul"), max_length=255)
    body = models.TextField(_("isi"), blank=True)
    url = models.CharField(_("tautan"), max_length=500, blank=True)
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(_("dibaca pada"), null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # When the broker last accepted its mail task; with `emailed_at` empty, the row is an
    # outbox entry that the sweep publishes again (agents.notifications.resend_unmailed).
    mail_published_at = models.DateTimeField(null=True, blank=True)
    # How its e-mail goes, by the recipient's settings when it was written: "now" (its
    # own mail, an outbox entry until sent), "digest" (in the next daily digest), "none".
    delivery = models.CharField(max_length=10, default="now")

    class Meta:
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="notification_unique_dedupe_key"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            # The outbox sweep reads the rows not yet mailed only.
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notification_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"


class Invitation(models.Model):
    """An invitation to set a password, mailed once with a single-use link.

    The row is the outbox of its e-mail (`emailed_at` empty: not yet delivered). The link's
    secret is made by the mail task when it sends the mail and only its SHA-256 is kept
    (`token_hash`): the secret is never in the database nor in the broker's message. A
    new invitation of the same person replaces the open one (`superseded_at`), so at most
    one link per person works; accepting it (`accepted_at`) ends it.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("pengguna")
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diundang oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    expires_at = models.DateTimeField(_("berlaku sampai"))
    # The site's address for the link, when the setting does not give one (the inviter's
    # request's host).
    base_url = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, blank=True)
    emailed_at = models.DateTimeField(_("dikirim"), null=True, blank=True)
    mail_published_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(_("diterima"), null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("undangan")
        verbose_name_plural = _("undangan")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(accepted_at__isnull=True, superseded_at__isnull=True),
                name="invitation_one_open_per_user",
            ),
            models.UniqueConstraint(
                fields=["token_hash"],
                # Only issued tokens are unique; "" is the hash of no token, not a secret.
                condition=~models.Q(token_hash=""),  # nosec B106
                name="invitation_unique_token_hash",
            ),
        ]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="invitation_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.created_at:%Y-%m-%d}"


class PasswordResetMail(models.Model):
    """A requested password-reset e-mail: the outbox row of its mail. The link is made by
    the mail task with Django's token generator (valid PASSWORD_RESET_TIMEOUT, unusable
    once the password changed), so no secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    base_url = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=5, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    mail_published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("e-mail atur ulang kata sandi")
        verbose_name_plural = _("e-mail atur ulang kata sandi")
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="passwordresetmail_unmailed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.created_at:%Y-%m-%d %H:%M}"


class ApiToken(models.Model):
    """A personal token for the REST API (/api/v1/), or a service account's.

    The secret is shown once when the token is made; only its SHA-256 is kept (`token_hash`),
    with its first characters (`prefix`) so that the owner can tell tokens apart. `scopes`
    maps an area of the API (`ApiArea`) to the access the token has there (`ApiAccess`);
    an area it does not name is closed to it. The token never gives more than its user's
    roles: the rules of each app decide what the user may see and do.
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("pengguna")
    )
    name = models.CharField(_("nama token"), max_length=100)
    prefix = models.CharField(_("awalan"), max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("cakupan"), default=dict)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    last_used_at = models.DateTimeField(_("terakhir dipakai"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("dicabut"), null=True, blank=True)

    class Meta:
        verbose_name = _("token API")
        verbose_name_plural = _("token API")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def allows(self, area: str, *, write: bool) -> bool:
        """Whether the token opens this area of the API, for reading or for writing."""
        access = self.scopes.get(area, "")
        return access == ApiAccess.WRITE or (access == ApiAccess.READ and not write)
