"""Who published each article (the *outlet*, the site) and who wrote the story (its *source*).

Outlet sources, in the order tried (``outlet_source``):

- ``manifest``: the manifest's ``outlet`` column;
- ``url``: the site of the manifest's ``url`` after unwrapping redirect, share, AMP and archive links
  (:mod:`newsdesk.ingest.urls`), named as the outlet registry names it (``reuters.com`` ->
  "Reuters"), else the site itself. A redirect whose target is not in the link never names the
  redirector: the text is read instead;
- ``credit``: the text names its publisher ("Published in Dawn, April 8th, 2024", "© 2023 CGTN",
  "Follow Sputnik's Live Feed", the site's address; :mod:`newsdesk.metadata.credits`), kept or dropped
  lines alike;
- ``site-line``: an address of a site the registry does not know, in a line that stripping dropped as
  chrome ("GEOPOLITIKI.COM - Share the news with your friends!");
- ``wire-credit``: only a wire credit names anyone ("BEIJING, March 28 (Reuters) -"): the agency;
- ``shared-chrome``: at least two dropped chrome lines (slogans, menus, footers) that occur in the
  articles of exactly one known outlet and in this article;
- ``unknown``: nothing tells. Such an article keeps ``outlet`` empty and gets its own group label
  ``(unknown: <article id>)`` (:func:`outlet_labels`): unknown outlets are never pooled.

``source`` is the wire agency the text credits when it is not the outlet itself (a Reuters story
printed by another site), else the outlet. ``outlet_type`` and ``outlet_country`` come from the
registry (:mod:`newsdesk.metadata.registry`). An inferred name that matches a manifest outlet
(``geopolitiki.com`` and ``GEOPOLITIKI``) takes the manifest's spelling, so one site is one group.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass

import pandas as pd

from newsdesk.ingest.urls import site_of, unwrap
from newsdesk.metadata.credits import Credit, copyright_holder, text_credits
from newsdesk.metadata.registry import Registry, load_registry

COLUMNS = [
    "article_id", "outlet", "outlet_source", "outlet_evidence", "site", "source", "source_evidence",
    "outlet_type", "outlet_country",
]  # fmt: skip
OUTLET_SOURCES = ("manifest", "url", "credit", "site-line", "wire-credit", "shared-chrome", "unknown")
#: Units read for credits at each end of a dump (datelines sit at the top, copyright at the bottom).
CREDIT_UNITS = 60
#: Dropped lines shared with one known outlet needed to assign an article to it.
MIN_SHARED_CHROME_LINES = 2
#: Chrome lines shorter than this are too generic to identify a site ("Share", "Top").
MIN_CHROME_LINE_CHARS = 12

_TLDS = (
    "com|net|org|info|news|int|gov|edu|io|co|us|uk|ca|au|nz|ie|in|pk|sg|hk|cn|tw|jp|kr|ru|ua|by|kz|gr|"
    "cy|de|fr|it|es|pt|nl|be|ch|at|pl|cz|sk|hu|ro|bg|rs|hr|si|se|no|dk|fi|ee|lv|lt|tr|il|ae|qa|sa|eg|"
    "za|ng|ke|br|ar|mx|cl|eu|asia|tv|me|biz|online|today|world|press|media"
)
_DOMAIN_RE = re.compile(
    rf"(?<![\w.@-])(?:[a-z0-9][a-z0-9-]*\.)+(?:{_TLDS})(?![\w-])|(?<=@)(?:[a-z0-9][a-z0-9-]*\.)+(?:{_TLDS})\b",
    re.IGNORECASE,
)
_NOT_SITES = frozenset(
    "twitter.com x.com facebook.com fb.com t.me telegram.org whatsapp.com linkedin.com reddit.com "
    "pinterest.com instagram.com youtube.com youtu.be google.com tiktok.com vk.com flickr.com "
    "wikipedia.org gmail.com yahoo.com hotmail.com outlook.com icloud.com mail.ru yandex.ru "
    "apple.com bsky.app threads.net getty.com gettyimages.com".split()
)
_NOT_CHROME = frozenset({"body", "title", "blank", "duplicate-paragraph"})


def _key(name: str) -> str:
    """A comparison key: ``GEOPOLITIKI``, ``geopolitiki.com`` and ``Geo-Politiki`` share ``geopolitiki``."""
    first = site_of(name).split(".")[0] if "." in name and site_of(name) else name
    return re.sub(r"[\W_]+", "", first.lower())


def _sites_in(text: str) -> list[str]:
    sites = (site_of(match.group(0)) for match in _DOMAIN_RE.finditer(text))
    return [site for site in sites if site and site not in _NOT_SITES]


def _chrome_lines(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.loc[~lines["kept"] & ~lines["reason"].isin(_NOT_CHROME), ["article_id", "text"]]


@dataclass
class _Found:
    outlet: str | None
    how: str
    evidence: str | None
    site: str | None = None
    source: str | None = None
    source_evidence: str | None = None


def infer_outlets(
    articles: pd.DataFrame, lines: pd.DataFrame, registry: Registry | None = None
) -> pd.DataFrame:
    """Outlet and source per article with their evidence (columns ``COLUMNS``), in ``articles`` order.

    ``articles`` needs ``article_id``, ``outlet`` and ``url``; ``lines`` is the per-unit stripping
    table (``CorpusStripping.lines``: ``article_id``, ``line_no``, ``text``, ``kept``, ``reason``),
    read for credits and for the site's own name in its chrome. ``registry``: default, the package's.
    """
    registry = registry or load_registry()
    units = _credit_units(lines)
    chrome = _chrome_lines(lines)
    chrome_by_article = chrome.groupby("article_id")["text"].apply(list).to_dict()
    found: dict[str, _Found] = {}
    for row in articles.itertuples(index=False):
        credits = text_credits(units.get(row.article_id, []), registry)
        found[row.article_id] = _evidence(row, credits, chrome_by_article.get(row.article_id, []), registry)
    _assign_by_shared_chrome(found, chrome_by_article)
    manifest_names = {_key(f.outlet): f.outlet for f in found.values() if f.how == "manifest" and f.outlet}
    rows = []
    for article_id in articles["article_id"]:
        f = found[article_id]
        outlet = f.outlet
        if outlet is not None and f.how != "manifest":
            outlet = manifest_names.get(_key(outlet), outlet)
        known = registry.by_name(outlet) if outlet else None
        if known is None and f.site:
            known = registry.by_site(f.site)
        source = f.source if f.source and (not outlet or _key(f.source) != _key(outlet)) else outlet
        source_evidence = f.source_evidence if source != outlet else None
        rows.append((
            article_id, outlet, f.how, f.evidence, f.site, source, source_evidence,
            known.type if known else None, known.country if known else None,
        ))  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


def _credit_units(lines: pd.DataFrame) -> dict[str, list[str]]:
    """The first and last ``CREDIT_UNITS`` units of each article (pieces of a unit joined)."""
    if lines.empty:
        return {}
    frame = lines[lines["reason"] != "blank"] if "reason" in lines.columns else lines
    if "line_no" in frame.columns:
        frame = frame.groupby(["article_id", "line_no"], sort=False)["text"].agg("".join).reset_index()
    out: dict[str, list[str]] = {}
    for article_id, texts in frame.groupby("article_id", sort=False)["text"]:
        values = texts.tolist()
        out[article_id] = (
            values if len(values) <= 2 * CREDIT_UNITS else values[:CREDIT_UNITS] + values[-CREDIT_UNITS:]
        )
    return out


def _evidence(row, credits: list[Credit], chrome: list[str], registry: Registry) -> _Found:
    wires = Counter(c.name for c in credits if c.kind == "wire")
    wire = wires.most_common(1)[0][0] if wires else None
    wire_evidence = next((c.evidence for c in credits if c.kind == "wire" and c.name == wire), None)
    outlet = row.outlet if isinstance(row.outlet, str) and row.outlet.strip() else None
    url = row.url.strip() if isinstance(row.url, str) else ""
    resolved = unwrap(url) if url else None
    site = site_of(resolved.target) if resolved and resolved.target else None
    if outlet:
        return _Found(outlet.strip(), "manifest", None, site, wire, wire_evidence)
    if site:
        known = registry.by_site(site)
        return _Found(known.name if known else site, "url", url, site, wire, wire_evidence)
    publishers = [c for c in credits if c.kind == "publisher"]
    if publishers:
        named = Counter(c.name for c in publishers if c.known) or Counter(c.name for c in publishers)
        name = named.most_common(1)[0][0]
        return _Found(
            name, "credit", next(c.evidence for c in publishers if c.name == name), None, wire, wire_evidence
        )
    votes: Counter[str] = Counter()
    first_line: dict[str, str] = {}
    for text in chrome:
        for chrome_site in _sites_in(text):
            votes[chrome_site] += 1
            first_line.setdefault(chrome_site, text)
    if votes:
        chrome_site = votes.most_common(1)[0][0]
        return _Found(chrome_site, "site-line", first_line[chrome_site], chrome_site, wire, wire_evidence)
    for text in chrome:
        if holder := copyright_holder(text):
            return _Found(holder, "credit", text, None, wire, wire_evidence)
    if wire:
        return _Found(wire, "wire-credit", wire_evidence, None, wire, wire_evidence)
    evidence = f"unresolved redirect: {url}" if resolved is not None and resolved.target is None else None
    return _Found(None, "unknown", evidence)


def _assign_by_shared_chrome(found: dict[str, _Found], chrome_by_article: dict[str, list[str]]) -> None:
    """Give unknown articles the one known outlet whose distinctive chrome lines they share."""
    outlets_of_line: dict[str, set[str]] = defaultdict(set)
    for article_id, f in found.items():
        if f.outlet is None:
            continue
        for text in set(chrome_by_article.get(article_id, [])):
            if len(text.strip()) >= MIN_CHROME_LINE_CHARS:
                outlets_of_line[text.strip()].add(f.outlet)
    for article_id, f in list(found.items()):
        if f.outlet is not None:
            continue
        shared: dict[str, list[str]] = defaultdict(list)
        for text in dict.fromkeys(t.strip() for t in chrome_by_article.get(article_id, [])):
            owners = outlets_of_line.get(text, set())
            if len(owners) == 1:
                shared[next(iter(owners))].append(text)
        best = [(len(lines), name) for name, lines in shared.items() if len(lines) >= MIN_SHARED_CHROME_LINES]
        if len(best) == 1 or (len(best) > 1 and sorted(best)[-1][0] > sorted(best)[-2][0]):
            name = max(best)[1]
            found[article_id] = _Found(name, "shared-chrome", " | ".join(shared[name][:3]))


def outlet_labels(frame: pd.DataFrame, *, outlet: str = "outlet", article: str = "article_id") -> pd.Series:
    """The outlet of each row, or "(unknown: <article id>)": unknown outlets are never pooled."""
    unknown = "(unknown: " + frame[article].astype(str) + ")"
    return frame[outlet].where(frame[outlet].notna() & (frame[outlet].astype(str) != ""), unknown)


def outlet_of_page(
    text: str, url: str | None = None, registry: Registry | None = None
) -> dict[str, str | None]:
    """:func:`infer_outlets` for one dump: ``outlet``, ``outlet_source``, ``source``, ``outlet_type``, ..."""
    from newsdesk.stripping.stripper import strip

    lines = strip(text).lines.assign(article_id="page")
    lines["reason"] = lines["reason"].astype(str)
    article = pd.DataFrame({"article_id": ["page"], "outlet": [None], "url": [url]})
    return infer_outlets(article, lines, registry).iloc[0].to_dict()
