"""Plan contents for seeded data, from the templates in `plan_themes.yaml`.

A theme (queue and online registration, e-office, work culture, SOP simplification,
performance dashboard, competence, complaints, one-data, integrity zone) gives the title,
problem, baseline, root cause, innovation, alignment, impacts, stakeholders, risks,
activities and targets of a plan; the generator fills in the agency, its main service, an
innovation brand and numbers, and schedules the activities inside the implementation
window.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from plans import sections
from plans.enums import PlanState, TargetDirection
from plans.field_kinds import REFERENCE

from .dates import month_end, month_firsts

THEMES_FILE = Path(__file__).with_name("plan_themes.yaml")

THEMES_BY_KIND = {
    "dinas": ("antrean", "sop", "pengaduan", "eoffice", "satudata", "budaya", "kinerja"),
    "rsud": ("antrean", "pengaduan", "budaya", "sop", "eoffice"),
    "badan": ("kinerja", "satudata", "kompetensi", "eoffice", "sop", "integritas"),
    "biro": ("eoffice", "kinerja", "sop", "budaya", "integritas", "kompetensi"),
    "sekretariat": ("eoffice", "budaya", "kinerja", "integritas"),
    "inspektorat": ("integritas", "kinerja", "eoffice", "kompetensi"),
    "satpol": ("pengaduan", "budaya", "sop"),
}
SERVICE_BY_AGENCY = {
    "DINKES": "perizinan dan rujukan fasilitas kesehatan",
    "RSUD-AWS": "pendaftaran rawat jalan",
    "RSUD-KANUJOSO": "pendaftaran rawat jalan",
    "RSJD-AHM": "pendaftaran poliklinik jiwa",
    "RS-MATA": "pendaftaran poliklinik mata",
    "RS-KORPRI": "pendaftaran rawat jalan",
    "DPMPTSP": "perizinan berusaha",
    "BAPENDA": "pembayaran Pajak Kendaraan Bermotor",
    "BKD": "kenaikan pangkat dan mutasi pegawai",
    "BPSDM": "pendaftaran pelatihan ASN",
    "DISDIKBUD": "legalisasi ijazah dan mutasi siswa",
    "DINSOS": "rekomendasi bantuan sosial",
    "DISNAKERTRANS": "pengesahan peraturan perusahaan",
    "DISHUB": "perizinan angkutan",
    "DLH": "persetujuan lingkungan",
    "DKP3A": "pengaduan perlindungan perempuan dan anak",
    "DPK": "perpustakaan dan kearsipan",
    "DISKOMINFO": "informasi publik (PPID)",
    "DESDM": "rekomendasi teknis perizinan ESDM",
    "DISPERINDAGKOP-UKM": "pendampingan dan perizinan UMKM",
    "INSPEKTORAT": "tindak lanjut hasil pemeriksaan",
    "BPKAD": "penerbitan SP2D",
    "BAPPEDA": "konsultasi perencanaan pembangunan",
    "SATPOLPP": "penanganan pengaduan ketertiban umum",
    "BIRO-ORGANISASI": "evaluasi kelembagaan dan tata laksana",
    "BIRO-HUKUM": "harmonisasi produk hukum daerah",
    "BIRO-PBJ": "konsultasi pengadaan barang dan jasa",
    "BPBD": "informasi dan peringatan dini kebencanaan",
    "DISPAR": "pendaftaran usaha pariwisata",
    "DKP": "rekomendasi usaha perikanan",
}
SERVICE_BY_KIND = {
    "dinas": "rekomendasi dan perizinan teknis {abbr}",
    "badan": "administrasi dan informasi {abbr}",
    "biro": "administrasi dan fasilitasi {abbr}",
    "sekretariat": "persuratan dan administrasi",
    "rsud": "pendaftaran rawat jalan",
    "inspektorat": "tindak lanjut hasil pemeriksaan",
    "satpol": "penanganan pengaduan ketertiban umum",
}
RESPONSIBLE = [
    "Agen perubahan",
    "Tim pelaksana inovasi",
    "Kepala Subbagian Umum dan Kepegawaian",
    "Pranata komputer",
    "Kepala bidang terkait",
    "Sekretaris {abbr}",
]
# The keys of a theme that differ from the name of the plan field they fill; every other
# field of the registry takes the theme's key of its own name, if the theme has one.
THEME_KEYS = {"strategic_issue": "issue", "baseline_data": "baseline"}


def plan_fields(theme: dict, values: dict, rng: random.Random, written: dict) -> dict:
    """The plan's own columns for a draft, field by field of the registry: what the code
    wrote (`written`), else the theme's text, else an example of the field's kind (a
    field no theme knows yet still gets a plausible value). The title and the relations
    have their own parts of the draft."""
    fields = {}
    for spec in sections.plan_fields():
        if spec.name == "title" or spec.kind.many or spec.kind is REFERENCE:
            continue
        key = THEME_KEYS.get(spec.name, spec.name)
        if spec.name in written:
            fields[spec.name] = written[spec.name]
        elif key in theme:
            fields[spec.name] = str(theme[key]).format(**values)
        elif (example := spec.kind.example(spec, rng)) is not None:
            fields[spec.name] = example
    return fields


# Appended to a theme's own targets when a plan asks for more targets than the theme has.
COMMON_TARGETS = [
    {
        "indicator": "Laporan kemajuan rencana tindak yang disampaikan tepat waktu",
        "unit": "laporan",
        "low": 0,
        "high": 0,
        "mode": "to",
        "f_low": 3,
        "f_high": 4,
        "verification": "Laporan triwulanan pada AgenPlan",
    },
    {
        "indicator": "Unit kerja lain yang mereplikasi inovasi",
        "unit": "unit kerja",
        "low": 0,
        "high": 0,
        "mode": "to",
        "f_low": 1,
        "f_high": 3,
        "verification": "Surat pernyataan replikasi",
    },
]


@cache
def themes() -> dict[str, dict]:
    with THEMES_FILE.open(encoding="utf-8") as handle:
        return {theme["key"]: theme for theme in yaml.safe_load(handle)["themes"]}


def indonesian_number(value) -> str:
    """1.234 or 3,5 (Indonesian separators)."""
    number = Decimal(value)
    if number == number.to_integral_value():
        return f"{int(number):,}".replace(",", ".")
    text = f"{number:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def short_abbreviation(agency: dict) -> str:
    """The first variant of the abbreviation: "RSKD" from "RSKD / RSUD Kanujoso"."""
    return (agency.get("abbreviation") or agency["name"]).split(" / ")[0]


def service_of(agency: dict) -> str:
    abbr = short_abbreviation(agency)
    default = SERVICE_BY_KIND.get(agency["kind"], "administrasi {abbr}")
    return SERVICE_BY_AGENCY.get(agency["code"]) or default.format(abbr=abbr)


@dataclass
class PlanDraft:
    """The content of one plan, ready to be typed into the rows."""

    theme: str
    title: str
    fields: dict
    change_area_codes: list[str]
    core_value_codes: list[str]
    mission_number: int
    activities: list[dict]
    targets: list[dict]
    # The change-agent roles (PermenPANRB 27/2014) the agent names in the plan.
    agent_role_codes: list[str] = field(default_factory=list)


AGENT_ROLE_CODES = ("panutan", "katalisator", "pemberi_solusi", "penghubung", "penggerak")


def agent_roles(title: str) -> list[str]:
    """Two to four of the change-agent roles, the same for the same theme (drawn from a
    generator of their own, so that the rest of the demo's draws stay as they were)."""
    rng = random.Random(f"roles:{title}")  # noqa: S311 - synthetic demo data, not security
    return sorted(rng.sample(AGENT_ROLE_CODES, rng.randint(2, 4)), key=AGENT_ROLE_CODES.index)


def _decimal(value: float, decimals: int) -> Decimal:
    return Decimal(f"{value:.{decimals}f}")


def target_numbers(spec: dict, rng: random.Random) -> tuple[Decimal, Decimal]:
    """(baseline, target value) of one target template."""
    decimals = spec.get("decimals", 0)
    if decimals:
        baseline = rng.uniform(spec["low"], spec["high"])
    else:
        baseline = float(rng.randint(int(spec["low"]), int(spec["high"])))
    if spec["mode"] == "to":
        goal = rng.uniform(spec["f_low"], spec["f_high"])
        goal = max(goal if decimals else float(round(goal)), baseline + (0.1 if decimals else 1))
    else:
        goal = baseline * rng.uniform(spec["f_low"], spec["f_high"])
        if not decimals:
            goal = float(round(goal))
            if goal == baseline:
                goal = baseline - 1 if spec["mode"] == "down" else baseline + 1
    if "cap" in spec:
        goal = min(goal, spec["cap"])
    if spec["unit"] == "%":
        goal = min(goal, 100.0)
    return _decimal(baseline, decimals), _decimal(max(goal, 0.0), decimals)


def plan_content(
    rng: random.Random,
    *,
    agency: dict,
    window: tuple[dt.date, dt.date],
    year: int,
    mission_period: str,
    theme_key: str | None = None,
    n_activities: int | None = None,
    n_targets: int | None = None,
) -> PlanDraft:
    """Plausible content for one plan of an agency (a dict with code, name, kind, ...)."""
    catalogue = themes()
    theme = catalogue[theme_key or rng.choice(THEMES_BY_KIND.get(agency["kind"], list(catalogue)))]
    abbr = short_abbreviation(agency)
    brand = rng.choice(theme["brands"])
    n_targets = n_targets or rng.randint(2, 4)
    n_activities = n_activities or rng.randint(3, 6)
    months = month_firsts(*window)

    # Targets first: the baseline text quotes their baselines.
    baselines, targets = [], []
    for index, spec in enumerate([*theme["targets"], *COMMON_TARGETS]):
        baseline, goal = target_numbers(spec, rng)
        baselines.append(baseline)
        if index >= n_targets:
            continue
        due_month = months[rng.randint(len(months) // 2, len(months) - 1)]
        targets.append(
            {
                "order": index + 1,
                "indicator": spec["indicator"],
                "unit": spec["unit"],
                "baseline": baseline,
                "target_value": goal,
                "direction": TargetDirection.LOWER
                if spec["mode"] == "down"
                else TargetDirection.HIGHER,
                "due_date": min(month_end(due_month), window[1]) if index else window[1],
                "verification": spec["verification"].format(brand=brand, abbr=abbr),
            }
        )
    values = {
        "brand": brand,
        "service": service_of(agency),
        "abbr": abbr,
        "agency": agency["name"],
        "year": year,
        "prev_year": year - 1,
        **{f"b{i}": indonesian_number(b) for i, b in enumerate(baselines)},
    }

    # Activities: consecutive spans covering the window; the last one closes the plan.
    chosen = [*theme["activities"][: n_activities - 1], theme["activities"][-1]]
    bounds = [round(i * len(months) / n_activities) for i in range(n_activities + 1)]
    activities = []
    for index, (title, output) in enumerate(chosen):
        start = months[min(bounds[index], len(months) - 1)]
        end = months[min(max(bounds[index], bounds[index + 1] - 1), len(months) - 1)]
        budget = Decimal(rng.randint(2, 120) * 500_000) if rng.random() < 0.7 else None
        activities.append(
            {
                "order": index + 1,
                "title": title.format(**values)[:255],
                "output": output.format(**values)[:255],
                "start_month": start,
                "end_month": max(start, end),
                "responsible": rng.choice(RESPONSIBLE).format(abbr=abbr),
                "budget": budget,
            }
        )

    areas = theme["areas"][: rng.randint(2, min(3, len(theme["areas"])))]
    core_values = theme["values"][: rng.randint(2, min(4, len(theme["values"])))]
    mission = theme["missions"][mission_period]
    written = {
        "alignment_notes": (
            f"Mewujudkan nilai BerAKHLAK {', '.join(core_values)} dan mendukung area perubahan "
            f"{', '.join(areas)} road map reformasi birokrasi; selaras dengan misi {mission} "
            f"{mission_period}."
        ),
        "roadmap_link": (
            f"Bagian dari rencana aksi reformasi birokrasi {abbr} tahun {year}, sejalan dengan "
            "Peraturan Gubernur Kaltim Nomor 44 Tahun 2021 tentang Road Map Reformasi Birokrasi."
        ),
    }
    fields = plan_fields(theme, values, rng, written)
    return PlanDraft(
        theme=theme["key"],
        title=theme["title"].format(**values)[:255],
        fields=fields,
        change_area_codes=list(areas),
        core_value_codes=list(core_values),
        agent_role_codes=agent_roles(theme["title"]),
        mission_number=mission,
        activities=activities,
        targets=targets,
    )


# --- Review texts -------------------------------------------------------------------------

CRITERION_COMMENTS = {  # criterion code -> (levels 1–2, level 3, levels 4–5)
    "MASALAH": (
        "Masalah belum didukung data; uraikan kondisi awal dengan angka.",
        "Masalah relevan, tetapi analisis akar masalah perlu dipertajam.",
        "Masalah strategis dan didukung data kondisi awal yang jelas.",
    ),
    "GAGASAN": (
        "Gagasan masih berupa kegiatan rutin; tunjukkan apa yang baru.",
        "Gagasan cukup baru bagi unit kerja; jelaskan cara menjawab akar masalah.",
        "Gagasan inovatif dan dapat direplikasi perangkat daerah lain.",
    ),
    "TARGET": (
        "Target belum terukur: lengkapi baseline, satuan dan tenggat.",
        "Sebagian target terukur; perjelas alat verifikasinya.",
        "Target terukur, realistis dan menantang, dengan alat verifikasi yang kuat.",
    ),
    "SELARAS": (
        "Keterkaitan dengan BerAKHLAK dan road map RB belum dijelaskan.",
        "Keselarasan disebutkan; jelaskan kontribusinya pada area perubahan.",
        "Keselarasan dengan nilai, area perubahan dan misi gubernur jelas.",
    ),
    "KELAYAKAN": (
        "Jadwal dan penanggung jawab kegiatan belum jelas.",
        "Kegiatan cukup jelas; lengkapi risiko dan mitigasinya.",
        "Tahapan, jadwal, sumber daya dan mitigasi risiko lengkap dan layak.",
    ),
    "DAMPAK": (
        "Dampak belum diuraikan.",
        "Dampak internal jelas; dampak bagi masyarakat perlu diukur.",
        "Dampak internal dan eksternal jelas dan dapat diamati.",
    ),
}
OVERALL_FEEDBACK = (
    "Rencana belum memenuhi syarat: masalah, gagasan dan target perlu disusun ulang bersama "
    "pendamping.",
    "Rencana cukup baik. Pertajam data kondisi awal dan pastikan setiap target dapat diverifikasi.",
    "Rencana baik dan layak dilaksanakan. Jaga konsistensi jadwal dan laporkan realisasi "
    "target secara berkala.",
)
# A plan's quality (the mean level 1–5 its reviewers give) follows where it ends; other
# states draw from QUALITY_DEFAULT.
QUALITY = {
    PlanState.REJECTED: (1.4, 2.3),
    PlanState.REVISION_REQUESTED: (2.4, 3.2),
    PlanState.APPROVED: (3.4, 4.7),
    PlanState.IMPLEMENTING: (3.4, 4.7),
    PlanState.COMPLETED: (3.5, 4.8),
}
QUALITY_DEFAULT = (2.5, 4.5)


def quality_range(state: str) -> tuple[float, float]:
    """The range a seeded plan's mean review level is drawn from, by its final state."""
    return QUALITY.get(state, QUALITY_DEFAULT)


DECISION_FEEDBACK = {
    "approve": (
        "Rencana tindak disetujui untuk dilaksanakan. Perhatikan masukan reviewer, terutama "
        "pada alat verifikasi target, dan laporkan realisasi setiap triwulan."
    ),
    "revise": (
        "Rencana perlu direvisi: pertajam data kondisi awal dan akar masalah, lengkapi target "
        "yang terukur, dan jelaskan dampak bagi masyarakat. Ajukan kembali sebelum batas revisi."
    ),
    "reject": (
        "Rencana belum dapat diterima: gagasan belum menunjukkan perubahan bagi unit kerja dan "
        "target tidak terukur. Silakan berkonsultasi dengan pendamping untuk siklus berikutnya."
    ),
}


def comment_for(code: str, level: int) -> str:
    band = 0 if level <= 2 else 1 if level == 3 else 2
    return CRITERION_COMMENTS.get(code, ("", "", ""))[band]


def overall_feedback_for(mean_level: float) -> str:
    return OVERALL_FEEDBACK[0 if mean_level < 2.5 else 1 if mean_level < 3.5 else 2]
