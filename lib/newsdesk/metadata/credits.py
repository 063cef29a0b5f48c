"""Who an article's text says published or supplied it: datelines, credits, copyright and promo lines.

:func:`text_credits` reads the units of a dump (kept or dropped by stripping alike) and returns what
each names, with the kind of evidence:

- ``wire``: the supplier of the story: a dateline credit ("BEIJING, March 28 (Reuters) -",
  "MOSCOW, February 20. /TASS/.", "(AP) —"), a ``Source: Xinhua`` line, "By AFP", "Reuters Published
  ...", and Reuters' "(Reporting by ...; Editing by ...)" signature;
- ``publisher``: the site itself: "Published in Dawn, April 8th, 2024", a copyright line ("© 2023
  CGTN"), a promo naming it ("Follow Sputnik's Live Feed", "Download the CGTN app"), its address.

Names inside dateline, slash, source and promo credits must be in the outlet registry (a
parenthesised word is too often something else); a copyright holder or a "Published in" name is kept
as written when the registry does not know it. Every pattern reads at most the first
``MAX_CHARS_PER_UNIT`` characters of a unit, so the cost is linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newsdesk.ingest.urls import site_of
from newsdesk.metadata.registry import Registry

MAX_CHARS_PER_UNIT = 240
CREDIT_KINDS = ("wire", "publisher")
_NAME = r"[A-Z][\w&'’.-]*(?: [A-Z&][\w&'’.-]*){0,5}"
#: "BEIJING, Jan. 2 (Xinhua) --", "(AP) —", "Berlin (dpa) -": a credit in brackets then a dash, or
#: "NEW DELHI (PTI) The ...": after a capitalised dateline, then the first sentence.
_CREDIT_NAME = r"[A-Za-z][\w&'’.-]*(?: [A-Z&][\w&'’.-]*){0,5}"
_PAREN_CREDIT_RE = re.compile(
    rf"^(?:.{{0,80}}?\((?P<name>{_CREDIT_NAME})\)\s*(?:-{{1,2}}|–|—|:)"
    rf"|(?:[A-Z][A-Za-z .'’-]{{1,40}},?\s*)?\((?P<lead>{_CREDIT_NAME})\)\s+(?=[A-Z]))"
)
#: "MOSCOW, February 20. /TASS/.": the Russian agencies' slash credit.
_SLASH_CREDIT_RE = re.compile(r"^.{0,80}?/(?P<name>[A-Z][A-Za-z-]{1,24}(?: [A-Z][A-Za-z-]+){0,2})/")
_SOURCE_LINE_RE = re.compile(rf"^\W{{0,3}}(?:source|courtesy|via)\s*[:|-]\s*(?P<name>{_NAME})\s*\W*$", re.I)
_BY_AGENCY_RE = re.compile(rf"^\W{{0,3}}by\s+(?P<name>{_NAME})\s*$", re.I)
_NAME_PUBLISHED_RE = re.compile(rf"^(?P<name>{_NAME})\s+(?:published|updated|posted)\b", re.I)
_REUTERS_SIGNATURE_RE = re.compile(r"\breporting by\b.{1,200}?\bediting by\b", re.I)
_PUBLISHED_IN_RE = re.compile(
    rf"^\W{{0,3}}(?:published|first published|this (?:article|story) (?:was )?(?:first |originally )?"
    rf"(?:published|appeared))\s+(?:in|on|by)\s+(?:the\s+)?(?P<name>(?-i:{_NAME}?))\s*(?:[,.;(]|\s+on\b|$)",
    re.I,
)
_PROMO_RE = re.compile(
    rf"^\W{{0,3}}(?:follow|subscribe to|download|join|like)\s+(?:us on\s+)?(?:the\s+)?(?P<name>{_NAME}?)"
    r"(?:'s|’s)?\s+(?:on\b|live\b|app\b|channel\b|newsletter\b|feed\b|news\b)",
    re.I,
)
_DOMAIN_RE = re.compile(
    r"(?<![\w.@/-])(?:www\.)?(?P<domain>[a-z0-9-]{2,63}(?:\.[a-z0-9-]{2,63}){1,3})(?![\w-])", re.I
)
_YEARS = r"\d{4}(?:\s*[-–]\s*\d{4})?"
#: "(c) 2024 Example Media", "Copyright 2024 Example", "Copyright (c) Example": the holder after the mark.
_COPYRIGHT_RE = re.compile(
    rf"(?:©|\(c\)|\bcopyright\s*(?=©|\(c\)|{_YEARS}))\s*(?:©|\(c\))?\s*(?:copyright\s*)?(?:{_YEARS}[.,]?)?\s*"
    r"(?:by\s+)?([A-Z][\w&'’./ -]{1,50}?)\s*(?:[.,|;•·(]|\ball rights reserved\b|$)",
    re.IGNORECASE,
)
_HOLDER_SUFFIX_RE = re.compile(
    rf"(?:\s+(?:{_YEARS}|inc|llc|ltd|limited|corp|co|pc|gmbh|b\.?v|pty|s\.?a|plc))+\.?$", re.IGNORECASE
)
_NOT_HOLDERS = frozenset(
    "all rights reserved|all rights|copyright|blog|policy|website|site|home|the|news".split("|")
)
_NOT_PUBLISHERS = frozenset(
    "twitter.com x.com facebook.com t.me telegram.org whatsapp.com linkedin.com reddit.com instagram.com "
    "youtube.com google.com tiktok.com vk.com gmail.com yahoo.com getty.com gettyimages.com apple.com".split()
)


@dataclass(frozen=True)
class Credit:
    """A name the text gives, the registry's name for it when known, and the unit it was read from."""

    kind: str  # "wire" or "publisher"
    name: str  # the registry's name, else as written
    known: bool  # whether the registry knows it
    evidence: str  # the unit (cut to MAX_CHARS_PER_UNIT)


def text_credits(units: list[str], registry: Registry) -> list[Credit]:
    """Credits named in ``units`` (the dump's lines or sentences, in order), in the order found."""
    found: list[Credit] = []
    for unit in units:
        head = " ".join(unit[:MAX_CHARS_PER_UNIT].split())
        if not head:
            continue
        found += _unit_credits(head, registry)
    return found


def _unit_credits(head: str, registry: Registry) -> list[Credit]:
    out: list[Credit] = []

    def known(kind: str, name: str | None, *, keep_unknown: bool = False) -> None:
        if not name:
            return
        name = re.sub(r"['’]s$", "", name.strip(" .,'’"))
        outlet = _lookup(registry, name)
        if outlet is not None:
            out.append(Credit(kind, outlet.name, True, head))
        elif keep_unknown and 1 <= len(name.split()) <= 5:
            out.append(Credit(kind, name, False, head))

    for pattern in (_PAREN_CREDIT_RE, _SLASH_CREDIT_RE, _SOURCE_LINE_RE, _BY_AGENCY_RE, _NAME_PUBLISHED_RE):
        m = pattern.match(head)
        if m:
            known("wire", m.groupdict().get("name") or m.groupdict().get("lead"))
    if "|" in head and len(head) <= 200:  # "By Staff | Press Trust of India | Updated ..."
        for part in head.split("|"):
            outlet = registry.by_name(part.strip())
            if outlet is not None and outlet.wire:
                out.append(Credit("wire", outlet.name, True, head))
    if _REUTERS_SIGNATURE_RE.search(head) and head.lstrip("( ").lower().startswith(
        ("reporting", "additional")
    ):
        known("wire", "Reuters")
    m = _PUBLISHED_IN_RE.match(head)
    if m:
        known("publisher", m.group("name"), keep_unknown=True)
    m = _PROMO_RE.match(head)
    if m:
        known("publisher", m.group("name"))
    marked = "©" in head or "opyright" in head or "(c)" in head.lower()
    holder = copyright_holder(head, capitalised=False) if marked else None
    if holder:
        site = site_of(holder) if "." in holder else None
        outlet = registry.by_site(site) if site else _lookup(registry, holder)
        if outlet is not None or holder[0].isupper():
            out.append(Credit("publisher", outlet.name if outlet else holder, outlet is not None, head))
    # a site's address in a short line, or signing off a paragraph ("... – Rappler.com")
    for text in (head,) if len(head) <= 120 else (head[-_SIGN_OFF_CHARS:],):
        for m in _DOMAIN_RE.finditer(text):
            site = site_of(m.group("domain"))
            outlet = registry.by_site(site) if site and site not in _NOT_PUBLISHERS else None
            if outlet is not None and (len(head) <= 120 or text[m.end() :].strip(" .)") == ""):
                out.append(Credit("publisher", outlet.name, True, head))
    return out


_SIGN_OFF_CHARS = 60
_MAX_DROPPED_WORDS = 3


def _lookup(registry: Registry, name: str):
    """The registry's outlet for ``name``, else for it without a leading "Copyright" or up to
    ``_MAX_DROPPED_WORDS`` trailing words ("South China Morning Post Publishers" -> SCMP)."""
    name = re.sub(r"^copyright\s+", "", name.strip(), flags=re.I)
    words = name.split()
    for drop in range(min(_MAX_DROPPED_WORDS, len(words) - 1) + 1):
        outlet = registry.by_name(" ".join(words[: len(words) - drop]))
        if outlet is not None:
            return outlet
    return None


def copyright_holder(line: str, *, capitalised: bool = True) -> str | None:
    """The holder named in a copyright line ("(c) 2024 Example Media, Inc." -> "Example Media").

    With ``capitalised`` (the default) a holder must start with a capital letter ("teleSUR" and
    "balkaninsight.com" need ``capitalised=False``).
    """
    match = _COPYRIGHT_RE.search(line)
    if match is None:
        return None
    holder = _HOLDER_SUFFIX_RE.sub("", match.group(1).strip(" .-")).strip(" .-,")
    holder = re.sub(r"^copyright\s+", "", holder, flags=re.I)
    if not holder or holder.lower() in _NOT_HOLDERS or len(holder.split()) > 6:
        return None
    if capitalised and not holder[0].isupper():
        return None
    return holder
