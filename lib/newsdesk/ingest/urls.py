"""What an article's URL says: the site that served it and the date in its path.

- :func:`unwrap` follows redirect, share and cache links whose target is written in the link itself
  (``?url=``, ``?q=``, ``/redirect/`` with an encoded or base64 target, AMP caches, web archives). A
  redirect whose target is not in the link (``t.co``, ``bit.ly``, an opaque ``/redirect/`` token) is
  reported as unresolved, so the redirector is never taken for the publisher.
- :func:`site_of` is the registrable domain by the Public Suffix List, read offline from the snapshot
  bundled with ``publicsuffixlist``: ``news.bbc.co.uk`` -> ``bbc.co.uk``, and a site hosted on a shared
  suffix is its own site (``gamestartup.netlify.app``). A newsletter or blog on a publishing platform
  is its own site too (``someone.substack.com``).
- :func:`url_date` reads ``/2023/02/18/``, ``/news/2023-01-31/`` and compact ``/20230918/`` from the
  path, only when the date is a real calendar day in a plausible range.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl, unquote, urlsplit

#: How a URL led to the article: ``direct``, ``unwrapped`` (the target was inside a redirect, share,
#: AMP-cache or archive link) or ``unresolved`` (a redirect whose target is not in the link).
URL_KINDS = ("direct", "unwrapped", "unresolved")

#: Query parameters that carry a redirect's target.
_TARGET_PARAMS = (
    "url", "u", "q", "target", "dest", "destination", "redirect", "redirect_url", "redirect_uri",
    "to", "link", "out", "r", "href", "goto", "origin", "source_url", "article",
)  # fmt: skip
#: Hosts (registrable domains) that only redirect: with no target in the link, the article is unknown.
_REDIRECTORS = frozenset(
    "t.co bit.ly ow.ly tinyurl.com lnkd.in buff.ly goo.gl dlvr.it trib.al fb.me is.gd rebrand.ly "
    "shorturl.at cutt.ly t.ly tiny.cc bl.ink rb.gy lnk.to po.st su.pr j.mp amzn.to flip.it apple.news "
    "feedproxy.google.com feeds.feedburner.com substack.com urldefense.com safelinks.protection.outlook.com "
    "l.facebook.com lm.facebook.com l.instagram.com out.reddit.com href.li news.google.com "
    "ampproject.org google.com bing.com archive.ph archive.today archive.is archive.li archive.org".split()
)
#: Publishing platforms where every subdomain is someone's own site.
PLATFORM_DOMAINS = frozenset(
    "substack.com medium.com blogspot.com wordpress.com tumblr.com ghost.io beehiiv.com "
    "wixsite.com weebly.com livejournal.com typepad.com hashnode.dev".split()
)
_EMBEDDED_URL_RE = re.compile(r"https?://[^\s\"'<>]+|https?%3A%2F%2F[^\s\"'<>&]+", re.IGNORECASE)
_AMP_PATH_RE = re.compile(
    r"^/(?:[a-z]/)?(?:amp/)?(?:[cvi]/)?(?:s/)?(?P<host>[a-z0-9-]+(?:\.[a-z0-9-]+)+)(?P<rest>/.*)?$"
)
_BASE64_RE = re.compile(r"[A-Za-z0-9_-]{16,}={0,2}")
_MAX_URL_CHARS = 4096
_MAX_UNWRAP = 4


@dataclass(frozen=True)
class ResolvedUrl:
    """A URL as given, the article URL it leads to (None when unknown) and how (``URL_KINDS``)."""

    given: str
    target: str | None
    kind: str


@cache
def _suffix_list():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()  # the bundled snapshot: no network


def _host(url: str) -> str | None:
    try:
        parts = urlsplit(url if "//" in url[:12] else f"//{url}")
        host = parts.hostname
    except ValueError:
        return None
    if not host or "." not in host or re.fullmatch(r"[\d.]+|\[?[\d:a-f]+\]?", host):
        return None
    return host.rstrip(".").lower()


def site_of(url: str) -> str | None:
    """The registrable site of a URL or host (``https://m.bbc.co.uk/x`` -> ``bbc.co.uk``), or None.

    A subdomain of a publishing platform (``someone.substack.com``) is its own site. Redirects are not
    followed here: call :func:`unwrap` first.
    """
    if not isinstance(url, str) or not url.strip() or len(url) > _MAX_URL_CHARS:
        return None
    host = _host(url.strip())
    if host is None:
        return None
    host = host.removeprefix("www.")
    site = _suffix_list().privatesuffix(host)
    if site is None:  # the host is itself a public suffix that serves pages (www.gov.uk)
        return host if _suffix_list().is_public(host) and host.count(".") >= 1 else None
    if site in PLATFORM_DOMAINS and host != site:
        label = host[: -len(site) - 1].rsplit(".", 1)[-1]
        return f"{label}.{site}"
    return site


def unwrap(url: str) -> ResolvedUrl:
    """The article URL behind a redirect, share, AMP-cache or archive link (see the module's text)."""
    given = url.strip() if isinstance(url, str) else ""
    current = given[:_MAX_URL_CHARS]
    if not current:
        return ResolvedUrl(given, None, "unresolved")
    kind = "direct"
    for _ in range(_MAX_UNWRAP):
        inner = _inner_target(current)
        if inner is None:
            break
        current, kind = inner, "unwrapped"
    site = site_of(current)
    if site is None or site in _REDIRECTORS or _is_redirect_path(current):
        return ResolvedUrl(given, None, "unresolved")
    return ResolvedUrl(given, current, kind)


def _is_redirect_path(url: str) -> bool:
    path = urlsplit(url).path.lower() if "//" in url[:12] else ""
    return bool(re.search(r"/(?:redirect|redir|l\.php)(?:/|$)", path))


def _inner_target(url: str) -> str | None:
    """The URL written inside ``url`` (query parameter, path, AMP cache, base64 token), or None."""
    try:
        parts = urlsplit(url if "//" in url[:12] else f"https://{url}")
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    query = dict(parse_qsl(parts.query, keep_blank_values=False))
    for name in _TARGET_PARAMS:
        value = query.get(name, "").strip()
        if _looks_like_url(value):
            return _with_scheme(value)
    if host.endswith("ampproject.org") or (
        site_of(url) in ("google.com", "bing.com") and "/amp/" in parts.path
    ):
        m = _AMP_PATH_RE.match(parts.path.lower())
        if m and "." in m.group("host") and m.group("host") != host:
            start = parts.path.lower().index(m.group("host"))
            return "https://" + parts.path[start:] + (f"?{parts.query}" if parts.query else "")
    rest = parts.path + (f"?{parts.query}" if parts.query else "")
    embedded = _EMBEDDED_URL_RE.search(rest)
    if embedded:
        return _with_scheme(unquote(embedded.group(0)))
    for token in _BASE64_RE.findall(parts.path):
        decoded = _base64_url(token)
        if decoded:
            return decoded
    return None


def _looks_like_url(value: str) -> bool:
    value = unquote(value)
    return bool(re.match(r"(?:https?://|www\.)[a-z0-9-]+(?:\.[a-z0-9-]+)+", value, re.IGNORECASE))


def _with_scheme(value: str) -> str:
    value = unquote(value) if "%3a" in value[:12].lower() else value
    return value if re.match(r"https?://", value, re.IGNORECASE) else f"https://{value}"


def _base64_url(token: str) -> str | None:
    """A URL inside a base64 token (Substack's ``/redirect/2/<base64 JSON>``), or None."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        return None
    text = raw.decode("utf-8", "ignore")
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for value in data.values():
                if isinstance(value, str) and _looks_like_url(value):
                    return _with_scheme(value)
    m = re.search(r"https?://[\x21-\x7e]+", text)
    return m.group(0) if m else None


# ------------------------------------------------------------------------------------------ dates
_YMD_PATH_RE = re.compile(
    r"(?<![\d])(?P<y>(?:19|20)\d\d)(?P<sep>[/_-])(?P<m>[01]?\d)(?P=sep)(?P<d>[0-3]?\d)(?!\d)"
)
_COMPACT_RE = re.compile(r"(?<![\d])(?P<y>(?:19|20)\d\d)(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
_EARLIEST_YEAR = 1994  # the web's news sites start here


def url_date(url: str, *, today: dt.date | None = None) -> dt.date | None:
    """The publication day written in a URL's path, or None.

    Read: ``/2023/02/18/``, ``/2023-02-18``, ``_2023_02_18`` and a compact ``20230918`` standing alone
    in the path (not inside a longer number). Only a real calendar day between 1994 and tomorrow counts.
    """
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        path = urlsplit(url.strip()[:_MAX_URL_CHARS]).path
    except ValueError:
        return None
    latest = (today or dt.date.today()) + dt.timedelta(days=1)
    for pattern in (_YMD_PATH_RE, _COMPACT_RE):
        for m in pattern.finditer(path):
            try:
                day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            except ValueError:
                continue
            if dt.date(_EARLIEST_YEAR, 1, 1) <= day <= latest:
                return day
    return None
