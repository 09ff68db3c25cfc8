"""Word-level differences between two states of a plan, section by section.

Both sides are plan snapshots (the JSON a PlanVersion freezes, or `snapshot_plan()` of the
current draft). Every field the registry (`plans.sections`) names is compared, the fields
of activities and targets included, each read as its kind reads it. Each section is
turned into lines of plain text, the lines into words, and difflib lines them up; the
result says for every word whether it was kept, added or removed, so the template can
highlight them without ever trusting the text as HTML. The agent's "Bandingkan versi",
the editor's conflict screen and the reviewer's "changes since the version you scored"
all read this one diff.
"""

import difflib
import re
from dataclasses import dataclass, field

from . import sections

# A word with the spaces after it (or leading spaces alone); words are compared without them.
_TOKEN = re.compile(r"^\s+|\S+\s*")
# A sentence (up to its full stop, or the end of its line) with the spaces after it.
_SENTENCE = re.compile(r"^\s+|(?:[^.!?\n]|[.!?](?=\S))+(?:[.!?]+|(?=\n)|$)\s*|[.!?]+\s*")


@dataclass(frozen=True)
class Token:
    text: str
    kind: str  # "same", "added", "removed"


@dataclass
class FieldDiff:
    name: str
    label: str
    tokens: list[Token] = field(default_factory=list)
    added: int = 0
    removed: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class SectionDiff:
    section: str
    label: str
    fields: list[FieldDiff] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(f.changed for f in self.fields)

    @property
    def added(self) -> int:
        return sum(f.added for f in self.fields)

    @property
    def removed(self) -> int:
        return sum(f.removed for f in self.fields)


def _row_lines(entry, rows: list[dict]) -> str:
    """The rows of a row section, one line each: every field the registry gives a row,
    with its label ("1. Kegiatan: …; Penanggung jawab: …; Anggaran: Rp …")."""
    return "\n".join(
        f"{i}. "
        + "; ".join(f"{spec.label}: {spec.text(row.get(spec.name))}" for spec in entry.row_fields)
        for i, row in enumerate(rows, start=1)
    )


def field_text(snapshot: dict, name: str) -> str:
    """One field of a snapshot as plain text (lists become one line per item): a field
    of a section as its kind reads it, the rows of a row section one per line."""
    value = snapshot.get(name)
    rows = sections.row_sections()
    if name in rows:
        return _row_lines(rows[name], value or [])
    if name == "attachments":
        return "\n".join(item.get("name", "") for item in value or [])
    return sections.plan_field(name).text(value)


def word_diff(old: str, new: str) -> tuple[list[Token], int, int]:
    """The tokens of `new` and `old` merged: kept, added and removed words (and spaces)."""
    a = _TOKEN.findall(old or "")
    b = _TOKEN.findall(new or "")
    tokens: list[Token] = []
    added = removed = 0
    matcher = difflib.SequenceMatcher(
        a=[t.strip() for t in a], b=[t.strip() for t in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            tokens.append(Token("".join(b[j1:j2]), "same"))
            continue
        if op in ("delete", "replace"):
            words = a[i1:i2]
            removed += sum(1 for w in words if w.strip())
            tokens.append(Token("".join(words), "removed"))
        if op in ("insert", "replace"):
            words = b[j1:j2]
            added += sum(1 for w in words if w.strip())
            tokens.append(Token("".join(words), "added"))
    return tokens, added, removed


def merge_texts(stored: str, mine: str) -> str:
    """The two texts of a conflict in one, sentence by sentence: the sentences both share
    once, and wherever they differ, the stored sentences followed by the user's."""
    stored, mine = stored or "", mine or ""
    if not stored.strip() or not mine.strip():
        return mine if mine.strip() else stored
    a, b = _SENTENCE.findall(stored), _SENTENCE.findall(mine)
    matcher = difflib.SequenceMatcher(
        a=[t.strip() for t in a], b=[t.strip() for t in b], autojunk=False
    )
    parts: list[str] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        parts.extend(b[j1:j2] if op == "equal" else [*a[i1:i2], *b[j1:j2]])
    merged = ""
    for part in parts:
        if merged and not merged[-1].isspace() and not part[:1].isspace():
            merged += " "
        merged += part
    return merged


def _section_fields(entry) -> list[tuple[str, str]]:
    """(name, label) of what a section compares: its fields, or its rows as one."""
    if entry.has_fields:
        return [(spec.name, spec.label) for spec in entry.fields]
    return [(entry.key, str(entry.label))]


def plan_diff(old: dict, new: dict) -> list[SectionDiff]:
    """Section-by-section word differences from snapshot `old` to snapshot `new`."""
    result = []
    for entry in sections.all_sections():
        diff = SectionDiff(section=entry.key, label=str(entry.label))
        for name, label in _section_fields(entry):
            tokens, added, removed = word_diff(field_text(old, name), field_text(new, name))
            diff.fields.append(FieldDiff(name, label, tokens, added, removed))
        result.append(diff)
    return result
