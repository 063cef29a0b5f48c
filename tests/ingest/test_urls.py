"""Sites and dates read from article URLs: the Public Suffix List, unwrapped redirects, path dates."""

from __future__ import annotations

import base64
import datetime as dt
import json
from urllib.parse import quote

import pytest

from newsdesk.ingest.urls import site_of, unwrap, url_date


@pytest.mark.parametrize(
    ("address", "site"),
    [
        ("https://www.bbc.co.uk/news/world-asia-china-65030012", "bbc.co.uk"),
        ("https://m.bbc.co.uk/news", "bbc.co.uk"),
        ("https://edition.cnn.com/2023/03/20/politics/x/index.html", "cnn.com"),
        ("https://english.news.cn/20230320/abc/c.html", "news.cn"),
        ("https://www.fmprc.gov.cn/mfa_eng/wjdt_665385/", "fmprc.gov.cn"),
        ("https://www.gov.uk/government/news/x", "gov.uk"),
        # a host on a shared suffix is its own site, not "netlify.app"
        ("https://gamestartup.netlify.app/foreignpolicy.com/2023/03/20/x/", "gamestartup.netlify.app"),
        ("https://someone.github.io/post", "someone.github.io"),
        # a newsletter on a platform is its own site
        ("https://sinocism.substack.com/p/x", "sinocism.substack.com"),
        ("tass.com/politics/1580447", "tass.com"),
        ("GEOPOLITIKI.COM", "geopolitiki.com"),
        ("localhost", None),
        ("http://192.168.1.1/x", None),
        ("not a url", None),
        ("", None),
    ],
)
def test_site_of(address: str, site: str | None) -> None:
    assert site_of(address) == site


def _substack(target: str) -> str:
    token = base64.urlsafe_b64encode(json.dumps({"e": target}).encode()).decode().rstrip("=")
    return f"https://substack.com/redirect/2/{token}?j=eyJ1IjoxfQ"


@pytest.mark.parametrize(
    ("link", "site"),
    [
        ("https://www.google.com/url?q=https://foreignpolicy.com/2023/03/20/x/&sa=D", "foreignpolicy.com"),
        ("https://l.facebook.com/l.php?u=" + quote("https://www.rt.com/news/573000-x/", safe=""), "rt.com"),
        ("https://www-dawn-com.cdn.ampproject.org/c/s/www.dawn.com/news/amp/1747230", "dawn.com"),
        ("https://www.google.com/amp/s/www.scmp.com/news/china/article/3214567/x", "scmp.com"),
        ("https://web.archive.org/web/20230321000000/https://www.reuters.com/world/x/", "reuters.com"),
        (_substack("https://www.bloomberg.com/news/articles/2023-03-20/xi-putin"), "bloomberg.com"),
        ("https://www.reuters.com/world/china/x-2023-03-21/", "reuters.com"),
    ],
)
def test_unwrap_finds_the_target_written_in_the_link(link: str, site: str) -> None:
    resolved = unwrap(link)
    assert resolved.target is not None and site_of(resolved.target) == site
    assert resolved.kind == ("direct" if site_of(link) == site else "unwrapped")


@pytest.mark.parametrize(
    "link",
    [
        "https://t.co/AbC123xyz",
        "https://bit.ly/3xYz",
        "https://substack.com/redirect/7f3a2c1e-1234-4b5c-9d8e-abcdefabcdef?j=eyJ1IjoxfQ",
        "https://www.google.com/url?sa=t&source=web",
    ],
)
def test_a_redirect_without_its_target_is_unknown_not_the_redirector(link: str) -> None:
    resolved = unwrap(link)
    assert (resolved.target, resolved.kind) == (None, "unresolved")


@pytest.mark.parametrize(
    ("link", "day"),
    [
        ("https://www.reuters.com/world/china/x-2023-03-21/", dt.date(2023, 3, 21)),
        ("https://www.theguardian.com/world/2023/feb/18/x", None),  # month as a word: not read
        ("https://www.washingtonpost.com/world/2023/02/18/china-russia/", dt.date(2023, 2, 18)),
        ("https://www.globaltimes.cn/news/20230918/x.html", dt.date(2023, 9, 18)),
        ("https://www.example.com/news/2023-01-31/story", dt.date(2023, 1, 31)),
        ("https://english.news.cn/20230320/abc/c.html", dt.date(2023, 3, 20)),
        ("https://www.example.com/article/120230918123/", None),  # inside a longer id
        ("https://www.example.com/2023/02/30/x", None),  # no such day
        ("https://www.example.com/1899/01/01/x", None),  # before the web
        ("https://www.example.com/story/12345", None),
    ],
)
def test_url_date(link: str, day: dt.date | None) -> None:
    assert url_date(link, today=dt.date(2026, 1, 1)) == day


def test_url_date_refuses_the_future() -> None:
    assert url_date("https://www.example.com/2031/01/01/x", today=dt.date(2026, 1, 1)) is None
