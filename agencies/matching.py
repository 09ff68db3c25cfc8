"""Finding an agency by what people write for it in a spreadsheet.

A coordinator's list names the agency the way the office calls it: the code (DINKES), the
official name (Dinas Kesehatan Provinsi Kalimantan Timur), the abbreviation (Dinkes Kaltim)
or one of its aliases (Dinkes, Dinas Kesehatan). All of them are compared by their letters
and digits only, ignoring case, accents, spaces and punctuation: "DPUPR-PERA", "dpupr pera"
and "D.P.U.P.R. PERA" are the same. A text that names no agency gets the closest names
(difflib) as suggestions.
"""

import difflib
import re
import unicodedata
from collections.abc import Iterable

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def match_key(text: str) -> str:
    """The letters and digits of `text`, lower case, accents removed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_ALNUM.sub("", plain.casefold())


def names_of(agency) -> list[str]:
    """Every text that names the agency: code, official name, abbreviation, aliases."""
    aliases = agency.aliases if isinstance(agency.aliases, list) else []
    return [agency.code, agency.name, agency.abbreviation, *(str(a) for a in aliases)]


class AgencyIndex:
    """The agencies by every key of every name they go by."""

    def __init__(self, agencies: Iterable):
        self._by_key: dict[str, dict[int, object]] = {}
        self._suggested: dict[tuple[str, int], list[str]] = {}  # many rows, few texts
        for agency in agencies:
            for text in names_of(agency):
                key = match_key(text)
                if key:
                    self._by_key.setdefault(key, {})[agency.pk] = agency

    def find(self, text: str) -> list:
        """The agencies that `text` names: none, one, or (an ambiguous text) several."""
        return list(self._by_key.get(match_key(text), {}).values())

    def suggest(self, text: str, limit: int = 3) -> list[str]:
        """The closest agencies' labels, "Name (CODE)", best first; at most `limit`."""
        key = match_key(text)
        if not key:
            return []
        if (key, limit) not in self._suggested:
            self._suggested[key, limit] = self._closest(key, limit)
        return self._suggested[key, limit]

    def _closest(self, key: str, limit: int) -> list[str]:
        close = difflib.get_close_matches(key, self._by_key, n=limit * 3, cutoff=0.6)
        # A key that the text starts or that starts the text ("dinkesprov" → "dinkes").
        close += sorted(k for k in self._by_key if len(k) >= 3 and key.startswith(k))
        found = []
        for candidate in close:
            for agency in self._by_key[candidate].values():
                label = f"{agency.name} ({agency.code})"
                if label not in found:
                    found.append(label)
        return found[:limit]
