"""Evaluation of the metadata stage: outlet, wire source and publication date, on a hand-made set.

Run from the project root::

    .venv/bin/python bench/eval_metadata.py

The set lives in ``bench/metadata/`` (see its README.md):

- ``urls.tsv`` (``url``, ``outlet``): article links, direct, wrapped (Google, Facebook, AMP caches,
  archives, Substack, Outlook safelinks, ...) and unresolvable (``t.co``, ``bit.ly``, ...; expected
  outlet empty). Each link goes through :func:`newsdesk.metadata.outlets.infer_outlets` with no text
  (an empty stripping table), so the outlet is named exactly as the pipeline names it from a URL.
- ``pages.csv`` (``file,url,outlet,source,published,note``) and ``pages/*.txt``: page dumps.
  :func:`newsdesk.metadata.outlets.outlet_of_page` is called with ``url=None`` on every page (the
  outlet and source from the text alone); :func:`newsdesk.extract.pubdate.publication_evidence` with
  the page's ``url`` when one is given. ``note`` starts with ``[date:KIND]``; ``KIND`` ``ambiguous``
  marks an all-numeric date that nothing on the page or in the URL resolves (expected ``published``
  empty: a date with confidence >= 0.5 there is an error).

Prints one figure per line, then every miss (expected vs got). Outlet names are compared
case-insensitively; an empty expected outlet means "unknown is right". This is an evaluation, not a
test: the exit code is 0 whatever the figures.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd

from newsdesk.extract.pubdate import publication_evidence
from newsdesk.ingest.urls import unwrap
from newsdesk.metadata.outlets import infer_outlets, outlet_of_page
from newsdesk.metadata.registry import load_registry

HERE = Path(__file__).resolve().parent / "metadata"
URLS = HERE / "urls.tsv"
PAGES = HERE / "pages.csv"
PAGE_DIR = HERE / "pages"
CONFIDENT = 0.5

#: Hosts (and their subdomains) whose links only lead elsewhere: a row on one of these is a redirect
#: case, whose target is either written in the link (expected outlet given) or not (expected empty).
WRAPPER_HOSTS = (
    "google.com", "google.co.uk", "googleusercontent.com", "facebook.com", "ampproject.org",
    "archive.org", "archive.ph", "substack.com", "outlook.com", "linkedin.com", "reddit.com", "href.li",
    "urldefense.com", "umblr.com", "bing.com", "t.co", "bit.ly", "lnkd.in", "buff.ly", "trib.al",
    "ow.ly", "apple.news", "dlvr.it",
)  # fmt: skip


def _same(expected: str | None, got: object) -> bool:
    got_name = got if isinstance(got, str) and got.strip() else None
    if not expected:
        return got_name is None
    return got_name is not None and got_name.strip().lower() == expected.strip().lower()


def _show(value: object) -> str:
    return (
        "(unknown)"
        if value is None or value == "" or (isinstance(value, float) and value != value)
        else str(value)
    )


def _is_wrapper(url: str) -> bool:
    host = re.sub(r"^[a-z]+://", "", url.strip().lower()).split("/", 1)[0].split("?", 1)[0]
    host = host.removeprefix("www.")
    # a Substack newsletter (someone.substack.com) is a site; the bare substack.com only redirects
    return any(host == h or (host.endswith("." + h) and h != "substack.com") for h in WRAPPER_HOSTS)


def _ratio(good: int, n: int) -> str:
    return f"{good / n:.3f} ({good}/{n})" if n else "n/a (0)"


def _part(counts: Counter[str], key: str) -> str:
    return _ratio(counts[f"{key}:ok"], counts[f"{key}:n"])


def eval_urls(misses: list[str]) -> list[str]:
    rows = list(csv.DictReader(URLS.open(encoding="utf-8"), delimiter="\t"))
    articles = pd.DataFrame(
        {"article_id": [f"u{i}" for i in range(len(rows))], "outlet": [None] * len(rows),
         "url": [r["url"] for r in rows]}
    )  # fmt: skip
    no_lines = pd.DataFrame(
        {"article_id": pd.Series([], dtype=object), "line_no": pd.Series([], dtype=int),
         "text": pd.Series([], dtype=object), "kept": pd.Series([], dtype=bool),
         "reason": pd.Series([], dtype=object)}
    )  # fmt: skip
    found = infer_outlets(articles, no_lines, load_registry())
    counts: Counter[str] = Counter()
    for row, got in zip(rows, found["outlet"].tolist(), strict=True):
        expected = row["outlet"].strip() or None
        group = "unresolvable" if expected is None else "wrapped" if _is_wrapper(row["url"]) else "direct"
        ok = _same(expected, got)
        counts[f"{group}:n"] += 1
        counts[f"{group}:ok"] += ok
        if not ok:
            target = unwrap(row["url"]).target
            misses.append(
                f"url [{group}] {row['url']}\n    expected {_show(expected)} | got {_show(got)}"
                f" | unwrapped to {_show(target)}"
            )
    n = sum(counts[f"{g}:n"] for g in ("direct", "wrapped", "unresolvable"))
    ok = sum(counts[f"{g}:ok"] for g in ("direct", "wrapped", "unresolvable"))
    redirect_n = counts["wrapped:n"] + counts["unresolvable:n"]
    redirect_ok = counts["wrapped:ok"] + counts["unresolvable:ok"]
    return [
        f"outlet from URL accuracy: {_ratio(ok, n)}",
        f"  direct links: {_part(counts, 'direct')}",
        f"redirects resolved or correctly unknown: {_ratio(redirect_ok, redirect_n)}",
        f"  target in the link, outlet right: {_part(counts, 'wrapped')}",
        f"  no target in the link, left unknown: {_part(counts, 'unresolvable')}",
    ]


def eval_pages(misses: list[str]) -> list[str]:
    rows = list(csv.DictReader(PAGES.open(encoding="utf-8")))
    counts: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    for row in rows:
        text = (PAGE_DIR / row["file"]).read_text(encoding="utf-8")
        name = row["file"]
        expected_outlet = row["outlet"].strip() or None
        expected_source = row["source"].strip() or expected_outlet
        kind_match = re.match(r"\[date:([\w-]+)\]", row["note"].strip())
        kind = kind_match.group(1) if kind_match else "?"

        # ---- outlet and source from the text alone
        try:
            found = outlet_of_page(text, url=None)
            got_outlet, got_source, how = found["outlet"], found["source"], found["outlet_source"]
        except Exception as err:  # a failing page is a miss, not the end of the run
            got_outlet = got_source = None
            how = f"error: {type(err).__name__}: {err}"
        if expected_outlet is None:
            counts["noev:n"] += 1
            if not _same(None, got_outlet):
                counts["noev:false"] += 1
                got = f"{_show(got_outlet)} via {how}"
                misses.append(f"page outlet [no evidence] {name}\n    expected (unknown) | got {got}")
        else:
            counts["ev:n"] += 1
            if _same(expected_outlet, got_outlet):
                counts["ev:ok"] += 1
            else:
                misses.append(
                    f"page outlet {name}\n    expected {expected_outlet} | got {_show(got_outlet)} via {how}"
                )
            counts["src:n"] += 1
            wire_printed = row["source"].strip() != ""
            counts["srcwire:n"] += wire_printed
            if _same(expected_source, got_source):
                counts["src:ok"] += 1
                counts["srcwire:ok"] += wire_printed
            else:
                misses.append(f"page source {name}\n    expected {expected_source} | got {_show(got_source)}")

        # ---- publication date (with the page's URL when one is given)
        expected_date = dt.date.fromisoformat(row["published"]) if row["published"].strip() else None
        url = row["url"].strip() or None
        try:
            ev = publication_evidence(text, url)
            got_date, conf, source = ev.date, ev.confidence, ev.source
            extra = f" conflict={ev.conflict}" if ev.conflict else ""
            extra += f" ambiguous={ev.ambiguous!r}" if ev.ambiguous else ""
        except Exception as err:
            got_date, conf, source, extra = None, 0.0, f"error: {type(err).__name__}: {err}", ""
        got_show = f"{got_date or '(none)'} via {source} conf={conf:.2f}{extra}"
        confident_wrong = conf >= CONFIDENT and got_date != expected_date
        counts["date:all"] += 1
        counts["date:confwrong"] += confident_wrong
        if kind == "ambiguous":
            counts["amb:n"] += 1
            counts["amb:confwrong"] += confident_wrong
            if confident_wrong:
                misses.append(f"date [ambiguous] {name}\n    expected no confident date | got {got_show}")
        elif expected_date is not None:
            counts["date:n"] += 1
            counts["dateconf:n"] += 1
            by_kind[f"{kind}:n"] += 1
            if got_date == expected_date:
                counts["date:ok"] += 1
                counts["dateconf:ok"] += conf >= CONFIDENT
                by_kind[f"{kind}:ok"] += 1
            else:
                misses.append(f"date [{kind}] {name}\n    expected {expected_date} | got {got_show}")
        elif confident_wrong:
            misses.append(f"date [{kind}] {name}\n    expected no confident date | got {got_show}")
    kinds = sorted({k.split(":")[0] for k in by_kind})
    return [
        f"outlet from text alone, pages with a credit/dateline/copyright: {_part(counts, 'ev')}",
        f"false outlets on no-evidence pages: {counts['noev:false']} of {counts['noev:n']}",
        f"source (wire) accuracy, pages with evidence: {_part(counts, 'src')}",
        f"  wire stories printed by another outlet: {_part(counts, 'srcwire')}",
        f"date accuracy, pages with a byline/dateline/header/URL date: {_part(counts, 'date')}",
        f"  right with confidence >= {CONFIDENT}: {_part(counts, 'dateconf')}",
        *(f"  [{k}]: {_part(by_kind, k)}" for k in kinds),
        f"confidently wrong dates (confidence >= {CONFIDENT}), all pages: "
        f"{counts['date:confwrong']} of {counts['date:all']}",
        f"  on ambiguous numeric dates (must be 0): {counts['amb:confwrong']} of {counts['amb:n']}",
    ]


def main() -> int:
    start = time.perf_counter()
    misses: list[str] = []
    figures = eval_urls(misses) + eval_pages(misses)
    print("\n".join(figures))
    print(f"time: {time.perf_counter() - start:.1f} s")
    print(f"\nmisses ({len(misses)}):")
    for miss in misses:
        print(f"- {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
