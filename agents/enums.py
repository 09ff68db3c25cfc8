"""Roles and the official lists of ASN identity data."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in AgenPlan (docs/domain.md). One person may hold several."""

    AGENT = "agent", _("Agen Perubahan")
    AGENCY_HEAD = "agency_head", _("Kepala Perangkat Daerah")
    REVIEWER = "reviewer", _("Reviewer / pendamping")
    COORDINATOR = "coordinator", _("Koordinator")
    LEADERSHIP = "leadership", _("Pimpinan")
    ADMIN = "admin", _("Admin")


class Gender(models.TextChoices):
    MALE = "L", _("Laki-laki")
    FEMALE = "P", _("Perempuan")


class PangkatGolongan(models.TextChoices):
    """PNS pangkat and golongan/ruang (PP 99/2000 as amended by PP 12/2002), lowest first."""

    I_A = "I/a", _("Juru Muda (I/a)")
    I_B = "I/b", _("Juru Muda Tingkat I (I/b)")
    I_C = "I/c", _("Juru (I/c)")
    I_D = "I/d", _("Juru Tingkat I (I/d)")
    II_A = "II/a", _("Pengatur Muda (II/a)")
    II_B = "II/b", _("Pengatur Muda Tingkat I (II/b)")
    II_C = "II/c", _("Pengatur (II/c)")
    II_D = "II/d", _("Pengatur Tingkat I (II/d)")
    III_A = "III/a", _("Penata Muda (III/a)")
    III_B = "III/b", _("Penata Muda Tingkat I (III/b)")
    III_C = "III/c", _("Penata (III/c)")
    III_D = "III/d", _("Penata Tingkat I (III/d)")
    IV_A = "IV/a", _("Pembina (IV/a)")
    IV_B = "IV/b", _("Pembina Tingkat I (IV/b)")
    IV_C = "IV/c", _("Pembina Utama Muda (IV/c)")
    IV_D = "IV/d", _("Pembina Utama Madya (IV/d)")
    IV_E = "IV/e", _("Pembina Utama (IV/e)")

    @property
    def group(self) -> str:
        """Golongan group: "I", "II", "III" or "IV"."""
        return golongan_group(self)


def golongan_group(key: str) -> str:
    """Return the golongan group ("I", "II", "III" or "IV") of a key such as "III/a"."""
    if key not in PangkatGolongan.values:
        raise ValueError(f"Unknown pangkat/golongan key: {key!r}")
    return str(key).split("/", 1)[0]


class ApiArea(models.TextChoices):
    """The areas of the REST API (/api/v1/) a personal token is scoped to, one by one."""

    REFERENCE = "reference", _("Data acuan (perangkat daerah, periode)")
    PLANS = "plans", _("Rencana tindak, keputusan dan masukan")
    DASHBOARD = "dashboard", _("Angka dasbor")
    PARTICIPANTS = "participants", _("Peserta (sinkronisasi agen perubahan)")
    REPORTS = "reports", _("Laporan")


class ApiAccess(models.TextChoices):
    """What a token may do in one area: read (GET) or read and write."""

    READ = "read", _("Baca saja")
    WRITE = "write", _("Baca dan tulis")
