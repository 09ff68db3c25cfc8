"""Synthetic ASN identities: names with academic titles, valid unique NIPs, jabatan, pangkat.

Names combine given and family names common in Kalimantan Timur (Banjar, Kutai, Bugis,
Dayak, Javanese, Batak families) and Indonesia at large; the names of real officials
found in the reference data are refused. NIPs are built with
`agents.validators.generate_nip`, so they pass `validate_nip`. The demo and the scale
generator draw NIP sequence numbers from disjoint ranges, so their people never collide.
"""

import datetime as dt
import random
from dataclasses import dataclass, field
from functools import cache

from django.contrib.auth.hashers import make_password

from agents.enums import Gender, Role
from agents.validators import generate_nip
from reference.loading import agency_rows

DEMO_PASSWORD = "agenplan-demo"  # noqa: S105 - the published password of the demo accounts
EMAIL_DOMAIN = "agenplan.example"  # RFC 2606: reserved, never delivers anywhere
DEMO_SEED = 2023
DEMO_SEQUENCES = range(1, 100)  # NIP sequence numbers of the demo people
SCALE_SEQUENCES = range(100, 1000)  # ... and of the scale generator's people

MALE_GIVEN = """
Rahmat Muhammad Ahmad Andi Syahrul Arief Budi Hendra Rudi Yusuf Fajar Eko Agus Dedi Irwan
Taufik Hamdani Rusdiansyah Syaiful Fahrul Jumansyah Rizky Ilham Herman Yohanes Markus
Stefanus Yulius Bayu Dimas Gunawan Haris Imam Joko Kurnia Lukman Mahfud Nanang Rony Samsul
Teguh Wahyu Zainal Aditya Bambang Darmawan Firdaus Irfan Mulyadi Paulus Ridwan
""".split()
FEMALE_GIVEN = """
Nurul Siti Dewi Rina Fitri Noor Aisyah Maria Yuliana Fransiska Melati Ayu Ratna Mega Nita
Intan Dian Aulia Nadia Putri Rahmi Hajar Laila Eka Wulan Yanti Nova Desi Erna Indah Juwita
Kartika Lina Mariana Nuraida Rosita Sari Tri Vivi Yuni Agustina Hasnah Marlina Rusmini
""".split()
MALE_FAMILY = """
Hidayat Saputra Pratama Wijaya Kurniawan Setiawan Hakim Syahputra Rahman Nugroho Santoso
Maulana Firmansyah Ardiansyah Hasibuan Siregar Mappaseng Pakpahan Simanjuntak Sinaga Gunadi
Hamzah Iskandar Junaidi Prasetyo Rifai Sudirman Yusran Effendi Ramadhan Aditama Syamsuddin
Tanjung
""".split()
FEMALE_FAMILY = """
Aini Rahmawati Lestari Anggraini Handayani Wulandari Susanti Rahayu Safitri Kusuma Hasanah
Puspitasari Ramadhani Oktaviani Permatasari Febriani Maharani Utami Yuliani Novitasari
Kartini Damayanti Sulistyowati Fatmawati Andriani Ningsih Hapsari
""".split()
# Real officials named in the reference data: never produced as a seeded person.
REFUSED_NAMES = frozenset(
    {
        "sri wahyuni",
        "nani nuraini",
        "akmal malik",
        "isran noor",
        "hadi mulyadi",
        "rudy mas'ud",
        "seno aji",
        "fitriansyah",
    }
)

BACHELOR = {
    "general": "S.Sos. S.AP. S.I.P. S.E. S.H. S.Kom. S.T. S.Si. S.Pd.".split(),
    "health": ["S.K.M.", "S.Kep., Ns.", "S.Farm., Apt.", "S.Gz.", "S.Si."],
    "finance": "S.E. S.Ak. S.E. S.Kom.".split(),
    "law": "S.H. S.H. S.Sos.".split(),
    "it": "S.Kom. S.T. S.Kom. S.Si.".split(),
    "tech": "S.T. S.P. S.Hut. S.Pi. S.Pt.".split(),
}
MASTER = {
    "general": "M.Si. M.AP. M.M. M.Si. M.H. M.Pd.".split(),
    "health": "M.Kes. M.K.M. M.Kes.".split(),
    "finance": "M.M. M.Ak. M.Si.".split(),
    "law": "M.H. M.Kn.".split(),
    "it": "M.Kom. M.T. M.M.".split(),
    "tech": "M.T. M.P. M.Si.".split(),
}
FIELD_BY_AGENCY = {
    **dict.fromkeys(["DINKES", "RSUD-AWS", "RSUD-KANUJOSO", "RSJD-AHM", "RS-MATA"], "health"),
    **dict.fromkeys(["RS-KORPRI"], "health"),
    **dict.fromkeys(["BPKAD", "BAPENDA", "INSPEKTORAT"], "finance"),
    **dict.fromkeys(["BIRO-HUKUM", "SATPOLPP"], "law"),
    **dict.fromkeys(["DISKOMINFO"], "it"),
    **dict.fromkeys(["DPUPR-PERA", "DPTPH", "DISHUT", "DISBUN", "DKP", "DPKH"], "tech"),
    **dict.fromkeys(["DESDM", "DLH", "DISHUB"], "tech"),
}
JABATAN_BY_FIELD = {
    "general": [
        "Analis Kebijakan Ahli {level}",
        "Perencana Ahli {level}",
        "Analis Sumber Daya Manusia Aparatur Ahli {level}",
        "Arsiparis Ahli {level}",
        "Pranata Hubungan Masyarakat Ahli {level}",
    ],
    "health": [
        "Administrator Kesehatan Ahli {level}",
        "Perawat Ahli {level}",
        "Epidemiolog Kesehatan Ahli {level}",
        "Apoteker Ahli {level}",
    ],
    "finance": [
        "Analis Keuangan Pusat dan Daerah Ahli {level}",
        "Auditor Ahli {level}",
        "Analis Anggaran Ahli {level}",
    ],
    "law": ["Perancang Peraturan Perundang-undangan Ahli {level}", "Analis Hukum Ahli {level}"],
    "it": ["Pranata Komputer Ahli {level}", "Statistisi Ahli {level}", "Sandiman Ahli {level}"],
    "tech": [
        "Teknik Pengairan Ahli {level}",
        "Penyuluh Pertanian Ahli {level}",
        "Pengendali Dampak Lingkungan Ahli {level}",
        "Perencana Ahli {level}",
    ],
}
JABATAN_BY_AGENCY = {
    "INSPEKTORAT": [
        "Auditor Ahli {level}",
        "Pengawas Penyelenggaraan Urusan Pemerintahan di Daerah Ahli {level}",
    ],
    "SATPOLPP": ["Polisi Pamong Praja Ahli {level}"],
    "BIRO-ORGANISASI": ["Analis Kebijakan Ahli {level}", "Analis Organisasi Ahli {level}"],
}
AGENT_LADDER = ["III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b"]
HEAD_LADDER = ["IV/b", "IV/c", "IV/d"]
SENIOR = frozenset({"III/c", "III/d", "IV/a", "IV/b", "IV/c", "IV/d", "IV/e"})


def fungsional_level(pangkat: str) -> str:
    """Ahli Pertama (III/a–b), Ahli Muda (III/c–d), Ahli Madya (IV)."""
    if pangkat in ("III/a", "III/b"):
        return "Pertama"
    return "Madya" if pangkat.startswith("IV") else "Muda"


@cache
def password_hash(password: str = DEMO_PASSWORD) -> str:
    """One hash reused for every seeded user (hashing is deliberately slow)."""
    return make_password(password)


@dataclass
class Person:
    """A seeded user: identity, role (for the logins table), where they work."""

    username: str
    name: str
    gender: str
    nip: str | None
    jabatan: str
    pangkat: str
    agency_code: str | None
    role: str
    email: str = ""
    is_staff: bool = False
    is_superuser: bool = False
    sk_number: str = ""
    sk_date: dt.date | None = None
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.email:
            self.email = f"{self.username}@{EMAIL_DOMAIN}"


class PeopleFactory:
    """Synthetic identities with valid NIPs, unique within `taken`."""

    def __init__(self, rng: random.Random, *, sequences: range, taken: set[str] | None = None):
        self.rng = rng
        self.sequences = sequences
        self.taken: set[str] = taken if taken is not None else set()
        self.names: set[str] = set()

    def gender(self) -> str:
        return Gender.MALE if self.rng.random() < 0.55 else Gender.FEMALE

    def plain_name(self, gender: str, *, unique: bool = True) -> str:
        male = gender == Gender.MALE
        given = MALE_GIVEN if male else FEMALE_GIVEN
        family = MALE_FAMILY if male else FEMALE_FAMILY
        name = ""
        for _attempt in range(50):
            name = f"{self.rng.choice(given)} {self.rng.choice(family)}"
            if self.rng.random() < 0.15:
                name = f"{self.rng.choice(given)} {name}"
            if name.lower() in REFUSED_NAMES or (unique and name in self.names):
                continue
            break
        self.names.add(name)
        return name

    def titled_name(
        self, gender: str, *, field_key: str, senior: bool, birth_year: int, unique: bool = True
    ) -> str:
        """A name with academic titles, e.g. "Dr. Nurul Aini, S.Si., M.Si."."""
        rng = self.rng
        name = self.plain_name(gender, unique=unique)
        if field_key == "health" and rng.random() < 0.2:
            master = rng.choice(MASTER["health"]) if senior and rng.random() < 0.6 else ""
            return f"dr. {name}, {master}" if master else f"dr. {name}"
        prefix, bachelor = "", rng.choice(BACHELOR[field_key])
        if birth_year < 1972 and rng.random() < 0.35:
            prefix, bachelor = ("Drs." if gender == Gender.MALE else "Dra."), ""
        elif field_key == "tech" and birth_year < 1980 and rng.random() < 0.3:
            prefix, bachelor = "Ir.", ""
        master = ""
        if (senior and rng.random() < 0.65) or (prefix and rng.random() < 0.7):
            master = rng.choice(MASTER[field_key])
        if master and not prefix and rng.random() < 0.08:
            prefix = "Dr."
        titles = ", ".join(t for t in (bachelor, master) if t)
        full = f"{prefix} {name}" if prefix else name
        return f"{full}, {titles}" if titles else full

    def nip(self, *, birth_years: tuple[int, int], gender: str, before: dt.date) -> str:
        """A new unique NIP: CPNS at 22–30 years old, appointed before `before`."""
        rng = self.rng
        for _attempt in range(1000):
            year = rng.randint(*birth_years)
            birth = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))
            appointed = dt.date(
                min(year + rng.randint(22, 30), before.year - 1), rng.choice((1, 3, 4, 12)), 1
            )
            nip = generate_nip(
                birth_date=birth,
                appointment_month=appointed,
                gender=gender,
                sequence=rng.choice(self.sequences),
            )
            if nip not in self.taken:
                self.taken.add(nip)
                return nip
        raise RuntimeError("No free NIP found; widen the sequence range.")

    def person(
        self,
        *,
        username: str,
        role: str,
        agency_code: str | None,
        before: dt.date,
        jabatan: str | None = None,
        birth_years: tuple[int, int] = (1968, 1996),
        ladder: list[str] = AGENT_LADDER,
        gender: str | None = None,
        with_nip: bool = True,
        unique_name: bool = True,
    ) -> Person:
        """One person; `username` may contain "{nip}"."""
        gender = gender or self.gender()
        field_key = FIELD_BY_AGENCY.get(agency_code or "", "general")
        nip = None
        if with_nip:
            nip = self.nip(birth_years=birth_years, gender=gender, before=before)
            birth_year, appointed_year = int(nip[:4]), int(nip[8:12])
        else:
            birth_year = self.rng.randint(*birth_years)
            appointed_year = birth_year + 25
        # One step up the ladder every four years of service.
        step = max(0, (before.year - appointed_year) // 4)
        pangkat = ladder[min(step, len(ladder) - 1)] if with_nip else ""
        if jabatan is None:
            choices = JABATAN_BY_AGENCY.get(agency_code or "", JABATAN_BY_FIELD[field_key])
            jabatan = self.rng.choice(choices).format(level=fungsional_level(pangkat or "III/c"))
        name = self.titled_name(
            gender,
            field_key=field_key,
            senior=pangkat in SENIOR,
            birth_year=birth_year,
            unique=unique_name,
        )
        return Person(
            username=username.format(nip=nip),
            name=name,
            gender=gender,
            nip=nip,
            jabatan=jabatan,
            pangkat=pangkat,
            agency_code=agency_code,
            role=role,
        )


def head_jabatan(agency: dict) -> str:
    """The title of the head of a perangkat daerah."""
    name, kind, code = agency["name"], agency["kind"], agency["code"]
    if code == "SETDA":
        return "Asisten Administrasi Umum Sekretariat Daerah Provinsi Kalimantan Timur"
    if code == "SETWAN":
        return "Sekretaris DPRD Provinsi Kalimantan Timur"
    if kind == "inspektorat":
        return "Inspektur Provinsi Kalimantan Timur"
    if kind == "rsud":
        return f"Direktur {name}"
    return f"Kepala {name}"


# --- The demo province: 155 agents in 48 perangkat daerah ------------------------------

DEMO_AGENT_TOTAL = 155
# Every agency sends two agents; every dinas one more; the big ones more still.
EXTRA_AGENTS = {
    "DISDIKBUD": 3,
    "DINKES": 4,
    "DPUPR-PERA": 2,
    "DINSOS": 1,
    "DISKOMINFO": 1,
    "DPMPTSP": 1,
    "DISHUB": 1,
    "BAPPEDA": 2,
    "BAPENDA": 2,
    "BPKAD": 2,
    "BKD": 2,
    "BPSDM": 1,
    "RSUD-AWS": 3,
    "RSUD-KANUJOSO": 3,
    "RSJD-AHM": 1,
    "INSPEKTORAT": 3,
    "BIRO-ORGANISASI": 2,
    "BIRO-UMUM": 1,
    "SETDA": 1,
    "SETWAN": 1,
    "SATPOLPP": 1,
}
DEMO_REVIEWERS = [  # (number, agency code or None for the external assessor)
    (1, "BIRO-ORGANISASI"),
    (2, "BIRO-ORGANISASI"),
    (3, "BIRO-ORGANISASI"),
    (4, "BIRO-ORGANISASI"),
    (5, "INSPEKTORAT"),
    (6, "BKD"),
    (7, "BAPPEDA"),
    (8, "BPSDM"),
    (9, "BIRO-ORGANISASI"),
    (10, None),
]
DEMO_HEAD_USERNAME = {"DINKES": "kepala"}
DEMO_AGENT_USERNAME = {"DINKES": "agen"}  # the first agent of the agency


def agent_counts() -> dict[str, int]:
    """Agents per perangkat daerah in the demo (fixture order); 155 in all."""
    counts = {}
    for row in agency_rows():
        extra = EXTRA_AGENTS.get(row["code"], 0) + (1 if row["kind"] == "dinas" else 0)
        counts[row["code"]] = 2 + extra
    return counts


def _sk_code(code: str) -> str:
    return {"BIRO-ORGANISASI": "BIRO-ORG"}.get(code, code)


@cache
def demo_roster() -> tuple[Person, ...]:
    """Every demo person in a fixed order; the same on every run (seed DEMO_SEED)."""
    rng = random.Random(DEMO_SEED)  # noqa: S311 - synthetic demo data, not security
    factory = PeopleFactory(rng, sequences=DEMO_SEQUENCES)
    before = dt.date(2023, 1, 1)
    roster = [
        Person(
            username="admin",
            name="Administrator AgenPlan",
            gender=Gender.MALE,
            nip=None,
            jabatan="Administrator sistem",
            pangkat="",
            agency_code=None,
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
        )
    ]
    sekda = factory.person(
        username="sekda",
        role=Role.LEADERSHIP,
        agency_code="SETDA",
        before=before,
        jabatan="Sekretaris Daerah Provinsi Kalimantan Timur",
        birth_years=(1966, 1969),
        ladder=["IV/d", "IV/e"],
        gender=Gender.MALE,
    )
    sekda.name = "Drs. Ahmad Fauzi, M.Si."
    roster.append(sekda)
    roster.append(
        factory.person(
            username="koordinator",
            role=Role.COORDINATOR,
            agency_code="BIRO-ORGANISASI",
            before=before,
            jabatan="Analis Kebijakan Ahli Madya (Koordinator Reformasi Birokrasi)",
            birth_years=(1972, 1980),
        )
    )
    for number, code in DEMO_REVIEWERS:
        external = code is None
        reviewer = factory.person(
            username=f"reviewer{number}",
            role=Role.REVIEWER,
            agency_code=code,
            before=before,
            jabatan="Dosen, asesor eksternal" if external else None,
            birth_years=(1970, 1990),
            with_nip=not external,
        )
        if external:
            reviewer.name = f"Dr. {factory.plain_name(reviewer.gender)}, S.Sos., M.AP."
        roster.append(reviewer)
    rows = agency_rows()
    for row in rows:
        head = factory.person(
            username=DEMO_HEAD_USERNAME.get(row["code"], f"kepala.{row['code'].lower()}"),
            role=Role.AGENCY_HEAD,
            agency_code=row["code"],
            before=before,
            jabatan=head_jabatan(row),
            birth_years=(1966, 1976),
            ladder=HEAD_LADDER,
        )
        roster.append(head)
    counts = agent_counts()
    for row in rows:
        code = row["code"]
        sk_number = f"800/{rng.randint(100, 999)}/{_sk_code(code)}/2023"
        sk_date = dt.date(2023, 1, rng.randint(2, 13))
        for index in range(counts[code]):
            username = DEMO_AGENT_USERNAME.get(code) if index == 0 else None
            agent = factory.person(
                username=username or "agen.{nip}",
                role=Role.AGENT,
                agency_code=code,
                before=before,
            )
            agent.sk_number, agent.sk_date = sk_number, sk_date
            roster.append(agent)
    return tuple(roster)
