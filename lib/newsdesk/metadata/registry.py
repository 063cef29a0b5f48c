"""The outlet registry: who a site or a credit is (name, country, type, whether it is a news agency).

The package ships defaults (``newsdesk/metadata/outlets.csv``: outlets that cover world news in
English, facts only). A corpus folder may carry its own ``outlets.csv`` with the same columns; its rows
add outlets or replace the default row with the same name or domain. Columns:

- ``name``: the outlet as a reader names it; ``aliases``: other names it is credited under, ``|``-separated;
- ``domains``: its registrable domains, space-separated (``bbc.co.uk bbc.com``);
- ``country``: ISO 3166-1 alpha-2 code of its base; ``type``: one of :data:`OUTLET_TYPES`;
- ``wire``: ``yes`` for a news agency whose copy other outlets print under its credit.

Rows are data, never patterns: names are compared as whole words, case-insensitively.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from newsdesk.ingest.paths import settings_file
from newsdesk.ingest.problems import CorpusError, Problem
from newsdesk.ingest.urls import site_of

REGISTRY_COLUMNS = ["name", "aliases", "domains", "country", "type", "wire"]
#: What each outlet type means (docs/metadata.md says more).
OUTLET_TYPES: dict[str, str] = {
    "wire": "an independent news agency selling copy to other outlets",
    "state-affiliated": (
        "editorially controlled or principally funded by a state without an independence charter"
    ),
    "public-broadcaster": "a public-service broadcaster with a charter of editorial independence",
    "commercial": "a privately owned newspaper, magazine, broadcaster or digital outlet",
    "government": "an official site of a government or an intergovernmental body",
    "think-tank": "a think tank, research institute or policy journal",
    "aggregator": "a site that republishes other outlets' articles",
    "platform": "a blog, newsletter or social platform where anyone publishes",
}
DEFAULT_REGISTRY = Path(__file__).resolve().parent / "outlets.csv"
REGISTRY_FILE_NAME = "outlets.csv"
_MAX_FIELD_CHARS = 300


@dataclass(frozen=True)
class Outlet:
    """One registry row."""

    name: str
    aliases: tuple[str, ...]
    domains: tuple[str, ...]
    country: str | None
    type: str | None
    wire: bool


@dataclass
class Registry:
    """Outlets by domain and by (lower-cased) name or alias; problems of the rows that were skipped."""

    outlets: list[Outlet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    _by_domain: dict[str, Outlet] = field(default_factory=dict, repr=False)
    _by_name: dict[str, Outlet] = field(default_factory=dict, repr=False)

    def add(self, outlet: Outlet) -> None:
        """Add ``outlet``; it replaces an earlier row with the same name or one of its domains."""
        replaced = {
            id(o)
            for o in (self._by_name.get(_name_key(outlet.name)), *map(self._by_domain.get, outlet.domains))
            if o
        }
        if replaced:
            self.outlets = [o for o in self.outlets if id(o) not in replaced]
            self._by_domain = {d: o for d, o in self._by_domain.items() if id(o) not in replaced}
            self._by_name = {n: o for n, o in self._by_name.items() if id(o) not in replaced}
        self.outlets.append(outlet)
        for domain in outlet.domains:
            self._by_domain[domain] = outlet
        for name in (outlet.name, *outlet.aliases):
            self._by_name.setdefault(_name_key(name), outlet)
        self._by_name[_name_key(outlet.name)] = outlet

    def by_site(self, url_or_host: str) -> Outlet | None:
        """The outlet of a URL, host or site (``https://english.news.cn/x`` -> Xinhua), or None."""
        if not isinstance(url_or_host, str) or not url_or_host.strip():
            return None
        host = url_or_host.strip().lower()
        host = (
            re.sub(r"^[a-z][a-z0-9+.-]*://", "", host).split("/", 1)[0].split(":", 1)[0].removeprefix("www.")
        )
        site = site_of(host)
        labels = host.split(".")
        for i in range(len(labels) - 1):  # the host, then each parent domain down to its site
            domain = ".".join(labels[i:])
            if site is not None and len(domain) < len(site):
                break  # a blog on a platform (someone.blogspot.com) is not the platform
            found = self._by_domain.get(domain)
            if found is not None:
                return found
        return None

    def by_name(self, name: str) -> Outlet | None:
        """The outlet named ``name`` or credited under it (case and a leading "The" ignored), or None."""
        return self._by_name.get(_name_key(name)) if isinstance(name, str) else None



def _name_key(name: str) -> str:
    key = " ".join(name.replace("’", "'").split()).lower()
    return key[4:] if key.startswith("the ") else key


def read_registry_rows(text: str, file: str) -> tuple[list[Outlet], list[Problem]]:
    """The outlets of a registry CSV's ``text``; a bad row is skipped with a problem naming its line."""
    outlets: list[Outlet] = []
    problems: list[Problem] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in ("name", "domains") if c not in header]
    if missing:
        problems.append(
            Problem("error", f"outlet registry lacks the column(s) {', '.join(missing)}", file, 1)
        )
        return outlets, problems
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        cells = {h: (row[i].strip() if i < len(row) else "") for i, h in enumerate(header)}
        outlet, message = _outlet(cells)
        if outlet is None:
            problems.append(Problem("warning", f"outlet registry row skipped: {message}", file, line))
        else:
            outlets.append(outlet)
    return outlets, problems


def _outlet(cells: dict[str, str]) -> tuple[Outlet | None, str]:
    if any(len(value) > _MAX_FIELD_CHARS for value in cells.values()):
        return None, f"a cell is longer than {_MAX_FIELD_CHARS} characters"
    name = " ".join(cells.get("name", "").split())
    if not name:
        return None, "no name"
    domains = tuple(dict.fromkeys(d.lower().removeprefix("www.") for d in cells.get("domains", "").split()))
    bad = [d for d in domains if not re.fullmatch(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+", d)]
    if bad:
        return None, f"{name}: {bad[0]!r} is not a domain (write example.com, without http:// or a path)"
    kind = cells.get("type", "").lower() or None
    if kind is not None and kind not in OUTLET_TYPES:
        return None, f"{name}: unknown type {kind!r} (known: {', '.join(OUTLET_TYPES)})"
    country = cells.get("country", "").upper() or None
    if country is not None and not re.fullmatch(r"[A-Z]{2}", country):
        return None, f"{name}: country {country!r} is not a two-letter code"
    wire = cells.get("wire", "").lower()
    if wire not in ("", "yes", "no", "true", "false", "1", "0"):
        return None, f"{name}: wire must be yes or no, not {wire!r}"
    aliases = tuple(a for a in (" ".join(a.split()) for a in cells.get("aliases", "").split("|")) if a)
    return Outlet(name, aliases, domains, country, kind, wire in ("yes", "true", "1")), ""


def load_registry(corpus_root: Path | None = None) -> Registry:
    """The package's registry, overlaid by ``<corpus_root>/outlets.csv`` when the corpus has one."""
    registry = Registry()
    for outlet in _default_rows():
        registry.add(outlet)
    if corpus_root is not None:
        path = Path(corpus_root) / REGISTRY_FILE_NAME
        try:
            path = settings_file(path, Path(corpus_root))
        except CorpusError as err:  # a link to a file outside the corpus folder: reported, not read
            registry.problems += err.problems
            return registry
        if path is not None:
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as err:
                registry.problems.append(
                    Problem(
                        "error",
                        f"outlet registry is not UTF-8 (byte {err.start}); it was not read",
                        path.name,
                    )
                )
                return registry
            outlets, problems = read_registry_rows(text, path.name)
            registry.problems += problems
            for outlet in outlets:
                registry.add(outlet)
    return registry


@cache
def _default_rows() -> tuple[Outlet, ...]:
    outlets, problems = read_registry_rows(
        DEFAULT_REGISTRY.read_text(encoding="utf-8"), DEFAULT_REGISTRY.name
    )
    if problems:
        raise ValueError(f"the packaged outlet registry is broken: {problems[0]}")
    return tuple(outlets)
