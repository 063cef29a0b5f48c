"""Which outlet published each article: the manifest, else the URL's site, else the site's own chrome.

Inference never pools unknown articles: an article whose outlet cannot be told keeps ``outlet`` empty
and gets its own group label ``(unknown: <article id>)``
(see :func:`newsdesk.present.describe.outlet_labels`).
Sources, in the order tried:

- ``manifest``: the manifest's ``outlet`` column;
- ``url``: the site of the manifest's ``url`` (``https://www.example.com/...`` -> ``example.com``);
- ``site-line``: a site address or e-mail domain in a line that stripping dropped as chrome
  ("GEOPOLITIKI.COM - Share the news with your friends!"), social networks and mail providers aside;
- ``copyright-line``: the holder named in a dropped "(c) 2024 Example Media" line;
- ``shared-chrome``: at least two dropped chrome lines (slogans, menus, footers) that occur in the
  articles of exactly one known outlet and in this article.

An inferred site name that matches a manifest outlet (``geopolitiki.com`` and ``GEOPOLITIKI``) takes
the manifest's spelling, so one site is one group.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from urllib.parse import urlsplit

import pandas as pd

COLUMNS = ["article_id", "outlet", "outlet_source", "outlet_evidence"]
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
_YEARS = r"\d{4}(?:\s*[-–]\s*\d{4})?"
#: "(c) 2024 Example Media", "Copyright 2024 Example", "Copyright (c) Example": the holder after the mark.
_COPYRIGHT_RE = re.compile(
    rf"(?:©|\(c\)|\bcopyright\s*(?=©|\(c\)|{_YEARS}))\s*(?:©|\(c\))?\s*(?:copyright\s*)?(?:{_YEARS})?\s*"
    r"(?:by\s+)?([A-Z][\w&'’. -]{1,50}?)\s*(?:[.,|;•·(]|\ball rights reserved\b|$)",
    re.IGNORECASE,
)
_HOLDER_SUFFIX_RE = re.compile(
    rf"(?:\s+(?:{_YEARS}|inc|llc|ltd|limited|corp|co|pc|gmbh|b\.?v|pty|s\.?a|plc))+\.?$", re.IGNORECASE
)
_NOT_HOLDERS = frozenset(
    "all rights reserved|all rights|copyright|blog|policy|website|site|home|the|news".split("|")
)
_NOT_SITES = frozenset(
    "twitter.com x.com facebook.com fb.com t.me telegram.org whatsapp.com linkedin.com reddit.com "
    "pinterest.com instagram.com youtube.com youtu.be google.com tiktok.com vk.com flickr.com "
    "wikipedia.org gmail.com yahoo.com hotmail.com outlook.com icloud.com mail.ru yandex.ru "
    "apple.com bsky.app threads.net getty.com gettyimages.com".split()
)
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "gov", "ac", "edu", "gv", "or"})
_NOT_CHROME = frozenset({"body", "title", "blank", "duplicate-paragraph"})


def site_of(address: str) -> str | None:
    """The registrable site of a URL, host or e-mail domain: ``https://m.bbc.co.uk/x`` -> ``bbc.co.uk``."""
    address = address.strip()
    if not address:
        return None
    host = urlsplit(address if "//" in address else f"//{address}").hostname or ""
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) < 2:
        return None
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def _key(name: str) -> str:
    """A comparison key: ``GEOPOLITIKI``, ``geopolitiki.com`` and ``Geo-Politiki`` share ``geopolitiki``."""
    first = site_of(name).split(".")[0] if "." in name and site_of(name) else name
    return re.sub(r"[\W_]+", "", first.lower())


def _sites_in(text: str) -> list[str]:
    sites = (site_of(match.group(0)) for match in _DOMAIN_RE.finditer(text))
    return [site for site in sites if site and site not in _NOT_SITES]


def _chrome_lines(lines: pd.DataFrame) -> pd.DataFrame:
    return lines.loc[~lines["kept"] & ~lines["reason"].isin(_NOT_CHROME), ["article_id", "text"]]


def infer_outlets(articles: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """Outlet per article with its source and evidence (columns ``COLUMNS``), in ``articles`` order.

    ``articles`` needs ``article_id``, ``outlet`` and ``url``; ``lines`` is the per-line stripping
    table (``CorpusStripping.lines``), whose dropped lines are searched for the site's own name.
    """
    chrome = _chrome_lines(lines)
    chrome_by_article = chrome.groupby("article_id")["text"].apply(list).to_dict()
    found: dict[str, tuple[str | None, str, str | None]] = {}
    for row in articles.itertuples(index=False):
        found[row.article_id] = _direct_evidence(row, chrome_by_article.get(row.article_id, []))
    _assign_by_shared_chrome(found, chrome_by_article)
    manifest_names = {
        _key(outlet): outlet for outlet, source, _ in found.values() if source == "manifest" and outlet
    }
    rows = []
    for article_id in articles["article_id"]:
        outlet, source, evidence = found[article_id]
        if outlet is not None and source != "manifest":
            outlet = manifest_names.get(_key(outlet), outlet)
        rows.append((article_id, outlet, source, evidence))
    return pd.DataFrame(rows, columns=COLUMNS)


def _direct_evidence(row, chrome: list[str]) -> tuple[str | None, str, str | None]:
    outlet = row.outlet if isinstance(row.outlet, str) and row.outlet.strip() else None
    if outlet:
        return outlet.strip(), "manifest", None
    url = row.url if isinstance(row.url, str) else ""
    if url.strip() and (site := site_of(url)):
        return site, "url", url.strip()
    votes: Counter[str] = Counter()
    first_line: dict[str, str] = {}
    for text in chrome:
        for site in _sites_in(text):
            votes[site] += 1
            first_line.setdefault(site, text)
    if votes:
        site = votes.most_common(1)[0][0]
        return site, "site-line", first_line[site]
    for text in chrome:
        if holder := copyright_holder(text):
            return holder, "copyright-line", text
    return None, "unknown", None


def copyright_holder(line: str) -> str | None:
    """The holder named in a copyright line ("(c) 2024 Example Media, Inc." -> "Example Media")."""
    match = _COPYRIGHT_RE.search(line)
    if match is None:
        return None
    holder = _HOLDER_SUFFIX_RE.sub("", match.group(1).strip(" .-")).strip(" .-,")
    if not holder or holder.lower() in _NOT_HOLDERS or len(holder.split()) > 6 or not holder[0].isupper():
        return None
    return holder


def _assign_by_shared_chrome(
    found: dict[str, tuple[str | None, str, str | None]], chrome_by_article: dict[str, list[str]]
) -> None:
    """Give unknown articles the one known outlet whose distinctive chrome lines they share."""
    outlets_of_line: dict[str, set[str]] = defaultdict(set)
    for article_id, (outlet, _, _) in found.items():
        if outlet is None:
            continue
        for text in set(chrome_by_article.get(article_id, [])):
            if len(text.strip()) >= MIN_CHROME_LINE_CHARS:
                outlets_of_line[text.strip()].add(outlet)
    for article_id, (outlet, _, _) in list(found.items()):
        if outlet is not None:
            continue
        shared: dict[str, list[str]] = defaultdict(list)
        for text in dict.fromkeys(t.strip() for t in chrome_by_article.get(article_id, [])):
            owners = outlets_of_line.get(text, set())
            if len(owners) == 1:
                shared[next(iter(owners))].append(text)
        best = [(len(lines), name) for name, lines in shared.items() if len(lines) >= MIN_SHARED_CHROME_LINES]
        if len(best) == 1 or (len(best) > 1 and sorted(best)[-1][0] > sorted(best)[-2][0]):
            name = max(best)[1]
            found[article_id] = (name, "shared-chrome", " | ".join(shared[name][:3]))


def outlet_labels(frame: pd.DataFrame, *, outlet: str = "outlet", article: str = "article_id") -> pd.Series:
    """The outlet of each row, or "(unknown: <article id>)": unknown outlets are never pooled."""
    unknown = "(unknown: " + frame[article].astype(str) + ")"
    return frame[outlet].where(frame[outlet].notna() & (frame[outlet].astype(str) != ""), unknown)
