"""Train the line classifiers behind ``newsdesk.strip`` (writes stripping/models/boilerplate*.json).

Data: ``train.jsonl.gz`` of the shared boilerplate kit and its training pages in the other dump shapes
(``shapes/train_*.jsonl.gz``: inscriptis, html2text Markdown, one blob, 2,000-character excerpts), read
at run time and never copied into the repository. Each dump is read as units of its shape first
(:mod:`newsdesk.stripping.shapes`), exactly as ``strip`` reads it. The pages come from WCXB, the Web
Content eXtraction Benchmark by Murrough Foley
(github.com/Murrough-Foley/web-content-extraction-benchmark), licensed CC-BY-4.0; the kit turned
their HTML into text dumps. Only the trained weights are committed.

Labels: the dump's words are aligned to the gold text (difflib matching blocks of 3+ words); a line
is body when at least half of its words are aligned (or, with ``--label-gold``, aligned to the gold of
the full page, for excerpts). Each training page is also added once as its
"clean" version (its body lines only, all labelled body) so that stripping a stripped body keeps it.

Decision: each page gets the threshold that maximises the expected ``a * precision + (1 - a) * recall``
of that page under the model's probabilities (the kit averages P and R over pages), within a range.

Model: a word lexicon (logistic regression on the words of a line, vocabulary = words seen on many
sites) feeds a per-line score into the first pass; both passes are additive logistic regressions
(standardised features plus a learned step per quantile bin of each feature); the second pass adds
the first pass's out-of-fold probabilities around each line (stacking). Folds are grouped by site.

Usage (from the project root; needs scikit-learn and scipy, dev-only dependencies)::

    .venv/bin/python -m newsdesk.stripping.training --model layout   # models/boilerplate.json
    .venv/bin/python -m newsdesk.stripping.training --model shapes   # models/boilerplate-shapes.json
    .venv/bin/python -m newsdesk.stripping.training --model excerpt  # models/boilerplate-excerpt.json

(``--train``, ``--clean-only``, ``--label-gold``, ``--out`` and the decision options override a preset;
``--folds 5``, ``--no-cv``. The vocabulary's order among equally common words follows Python's string
hashing: ``PYTHONHASHSEED=0`` gives the same file byte for byte.)
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from newsdesk.stripping import features as sf
from newsdesk.stripping import shapes
from newsdesk.stripping.stripper import (
    EXCERPT_MODEL_PATH,
    MODEL_PATH,
    SHAPES_MODEL_PATH,
    TITLE_NAMES,
    Additive,
    Model,
    _cut_tail,
    _decide,
    _render,
    strip_with_model,
    title_candidates,
)

#: The project root of a checkout (lib/newsdesk/stripping/ is three levels below it); the kit sits beside it.
ROOT = Path(__file__).resolve().parents[3]
_KIT = ROOT.parent / "shared" / "eval" / "boilerplate"


def _kit_shape(name: str) -> Path:
    return _KIT / "shapes" / f"train_{name}.jsonl.gz"


#: What each shipped model learns from: (files of pages, files learnt only as clean bodies, output).
#: ``layout`` decides layout text: the html-text pages only (adding the clean bodies of the Markdown
#: and blob pages, which it re-reads when such a body is stripped again, made it keep most chrome of
#: inscriptis dumps: dev F1 0.83). ``shapes`` decides Markdown and blobs: the same pages in every shape
#: the kit carries (the excerpts and inscriptis too), one model for all. ``excerpt`` decides short layout
#: text (a page's beginning): the kit's 2,000-character excerpts only (with the full html-text pages as
#: well, CV and dev F1 were no better and the model 2.5 times larger).
PRESETS: dict[str, tuple[list[Path], list[Path], Path]] = {
    "layout": ([_KIT / "train.jsonl.gz"], [], MODEL_PATH),
    "shapes": (
        [_KIT / "train.jsonl.gz", *map(_kit_shape, ("inscriptis", "html2text", "blob", "excerpt"))],
        [],
        SHAPES_MODEL_PATH,
    ),
    "excerpt": ([_kit_shape("excerpt")], [], EXCERPT_MODEL_PATH),
}
#: Option defaults of a preset (the command line still overrides them). An excerpt's gold keeps only
#: the gold lines found verbatim in it, so it misses article lines whose quotes or bullets differ from
#: the full gold: the lines are also labelled by the full page's gold (``--label-gold``), and its
#: headline comes from there too. The excerpt ends inside a line, which is dropped (``--cut-tail``).
#: A low precision weight keeps the recall of excerpts (site-grouped CV on the train excerpts: weight
#: 0.55 gave F1 0.729 R 0.804, 0.3 gave 0.717 / 0.821, 0.15 gave 0.714 / 0.836).
PRESET_OPTIONS: dict[str, dict[str, Any]] = {
    "excerpt": {
        "label_gold": [_KIT / "train.jsonl.gz"],
        "cut_tail": True,
        "precision_weight": 0.15,
        "threshold_range": [0.05, 0.5],
    },
}
_WORD = re.compile(r"\w+")
TITLE_TOLERANCE = 0.005  # headline threshold: lowest within this accuracy of the best
_LEX_IDX = [sf.BASE_NAMES.index(name) for name in sf.LEXICAL_NAMES]


def read_jsonl(path: Path) -> list[dict]:
    """Records of a (gzipped) JSON-lines file."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def line_labels(lines: list[str], gold: str) -> np.ndarray:
    """Share of each line's words aligned (in order) to the gold text."""
    words: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        toks = _WORD.findall(line)
        words += toks
        owner += [i] * len(toks)
    total = np.bincount(np.asarray(owner, np.int64), minlength=len(lines)).astype(float)
    covered = np.zeros(len(lines))
    matcher = difflib.SequenceMatcher(None, words, _WORD.findall(gold), autojunk=False)
    for a, _, size in matcher.get_matching_blocks():
        if size >= 3:
            np.add.at(covered, np.asarray(owner[a : a + size]), 1.0)
    return covered / np.maximum(total, 1)


class Page:
    """Features (features x lines) and labels of one training page (non-blank lines only)."""

    def __init__(
        self,
        text: str,
        y: np.ndarray,
        group: int,
        gold: str,
        clean: bool,
        weight: float = 1.0,
        title: str = "",
        source: str = "",
    ) -> None:
        self.doc = sf.split_lines(text)
        self.title = tuple(_WORD.findall(title.lower()))
        self.x, self.aux = sf.base_features(self.doc)
        self.y = y
        self.group = group
        self.gold = gold
        self.clean = clean
        self.source = source
        words = np.fromiter((len(_WORD.findall(s)) for s in self.doc.stripped), float, len(self.doc.stripped))
        # each page counts equally (the metric averages over pages); a line counts by its words
        self.w = (words + 1.0) * (100.0 * weight / max(float(words.sum()), 1.0))
        self.lex_rows: Any = None


def add_full_pages(records: list[dict], paths: list[Path]) -> None:
    """Give each record the gold (as ``_label_gold``) and, when it has none, the title of the same page
    (same id) in the files ``paths`` (the kit's shape files carry no title; its html-text file does)."""
    full = {r["id"]: r for path in paths for r in read_jsonl(path)}
    for r in records:
        page = full.get(r["id"])
        if page is not None:
            r["_label_gold"] = page["gold"]
            if not r.get("title") and page.get("title"):
                r["title"] = page["title"]


def build_pages(records: list[dict], clean_weight: float, cut_tail: bool = False) -> list[Page]:
    """Training pages (read as units of their dump shape) and their clean copies (each weighing
    ``clean_weight`` of a page). The same site in several files is one group. With ``cut_tail`` (pages
    that end inside a line), a page's last line is not learnt from: the rule of the model, not the
    model, drops it when it reads as cut short, and it is no body of the page's clean copy then. (Learnt
    from, such lines taught the model to drop the last line of a short body.)"""
    sites: dict[str, int] = {}
    pages = []
    for r in records:
        group = sites.setdefault(urlparse(r.get("url") or r["id"]).netloc, len(sites))
        view = shapes.read_shape(r["dump"])
        doc = sf.split_lines(view.text)
        y = line_labels(doc.lines, r["gold"])[doc.nonblank] >= 0.5
        if r.get("_label_gold"):  # also body: what the page's own full gold makes body
            y |= line_labels(doc.lines, r["_label_gold"])[doc.nonblank] >= 0.5
        if cut_tail and len(y) and _cut_tail(doc, len(y) - 1):
            y[-1] = False
        source = r.get("_source", "")
        weight = r.get("_weight", 1.0)
        title = (r.get("title") or "") if view.shape != "blob" else ""  # a blob's headline is in a unit
        if not r.get("_clean_only"):
            pages.append(Page(view.text, y, group, r["gold"], False, weight, title=title, source=source))
            if cut_tail and len(y):
                pages[-1].w[-1] = 0.0
        if y.any():
            _, clean = _render(doc, doc.nonblank[y])
            labels = np.ones(int(y.sum()), bool)
            pages.append(Page(clean, labels, group, r["gold"], True, clean_weight * weight))
    return pages


def folds_of(pages: list[Page], folds: int) -> np.ndarray:
    """Fold of every page: sites shuffled once, then dealt round-robin."""
    groups = np.array([p.group for p in pages])
    uniq = np.unique(groups)
    perm = np.random.default_rng(0).permutation(len(uniq))
    fold_of_group = dict(zip(uniq[perm], np.arange(len(uniq)) % folds, strict=True))
    return np.array([fold_of_group[g] for g in groups])


# ---------------------------------------------------------------- lexicon
def build_vocabulary(pages: list[Page], min_sites: int, max_words: int) -> list[str]:
    """ASCII words (2+ letters) used on at least ``min_sites`` sites."""
    site_words: dict[int, set[bytes]] = {}
    for p in pages:
        if not p.clean:
            words = {w for w in sf._tokens(p.doc.text) if len(w) > 1 and w.isalpha()}
            site_words.setdefault(p.group, set()).update(words)
    df: Counter[bytes] = Counter()
    for words in site_words.values():
        df.update(words)
    return [w.decode() for w, c in df.most_common(max_words) if c >= min_sites]


def attach_lexical_rows(pages: list[Page], vocab: list[str]) -> None:
    """Each page's line x word matrix, scaled by 1/sqrt(words in the line) as at run time."""
    import scipy.sparse as sp

    probe = sf.Lexicon(vocab, [0.0] * len(vocab), 0.0)
    for p in pages:
        line, vid, words = sf.token_lines(p.doc, probe)
        m = sp.csr_matrix((np.ones(len(line)), (line, vid)), shape=(len(p.y), len(vocab)))
        p.lex_rows = (sp.diags(1.0 / np.sqrt(np.maximum(words, 1))) @ m).tocsr()


def fit_lexicon(pages: list[Page], vocab: list[str], c: float) -> dict:
    """Word weights of a logistic regression on the lines' words."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=c, max_iter=3000)
    clf.fit(
        sp.vstack([p.lex_rows for p in pages]),
        np.concatenate([p.y for p in pages]),
        sample_weight=np.concatenate([p.w for p in pages]),
    )
    weights = clf.coef_[0]
    keep = np.abs(weights) >= 0.05  # words with a negligible weight are left out of the file
    return {
        "words": [w for w, k in zip(vocab, keep, strict=True) if k],
        "weights": weights[keep].round(3).tolist(),
        "bias": round(float(clf.intercept_[0]), 4),
        "_full": weights,
    }


def set_lexical_columns(pages: list[Page], lex: dict) -> None:
    """Overwrite the lexical feature columns of ``pages`` with scores from ``lex``."""
    for p in pages:
        if len(p.y):
            score = lex["bias"] + p.lex_rows @ lex["_full"]
            p.x[_LEX_IDX] = np.vstack(sf.lexical_columns(score))


# ---------------------------------------------------------------- additive logistic passes
def fit_additive(x: np.ndarray, y: np.ndarray, w: np.ndarray, c: float, bins: int) -> dict:
    """Logistic regression on standardised features plus one-hot quantile bins of every feature."""
    import scipy.sparse as sp
    from sklearn.linear_model import LogisticRegression

    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    qs = np.linspace(0, 1, bins + 1)[1:-1]
    edges = []
    for j in range(x.shape[1]):
        e = np.unique(np.quantile(x[:, j], qs)) if bins > 1 else np.zeros(0)
        # a feature with two values gets no steps: its linear term already is one
        edges.append(e if len(np.unique(x[:, j][:20000])) > 2 else np.zeros(0))
    blocks = [sp.csr_matrix((x - mean) / scale)]
    for j, e in enumerate(edges):
        k = np.searchsorted(e, x[:, j], side="right")
        blocks.append(sp.csr_matrix((np.ones(len(x)), (np.arange(len(x)), k)), shape=(len(x), len(e) + 1)))
    clf = LogisticRegression(C=c, max_iter=5000)
    clf.fit(sp.hstack(blocks).tocsr(), y, sample_weight=w)
    coef = clf.coef_[0]
    steps, at = [], x.shape[1]
    for e in edges:
        steps.append(coef[at : at + len(e) + 1].round(4).tolist())
        at += len(e) + 1
    return {
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": coef[: x.shape[1]].round(5).tolist(),
        "intercept": round(float(clf.intercept_[0]), 5),
        "edges": [e.round(5).tolist() for e in edges],
        "steps": steps,
    }


def stacked(pages: list[Page]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows of all lines of ``pages`` (lines x features), labels and weights."""
    return (
        np.hstack([p.x for p in pages]).T,
        np.concatenate([p.y for p in pages]),
        np.concatenate([p.w for p in pages]),
    )


def base_range(x: np.ndarray) -> list[list[float]]:
    """Lowest and highest value of each first-pass feature over the training lines (lines x features),
    widened to 6 decimals; the lexical columns are bounded by construction and left open."""
    lo = np.floor(x.min(axis=0) * 1e6) / 1e6
    hi = np.ceil(x.max(axis=0) * 1e6) / 1e6
    lo[_LEX_IDX], hi[_LEX_IDX] = -1e9, 1e9
    return [lo.tolist(), hi.tolist()]


def fit_model(pages: list[Page], p1: list[np.ndarray], lex: dict, args: argparse.Namespace) -> dict:
    """Both passes on ``pages`` (the second on the given out-of-fold first-pass probabilities)."""
    x1, y, w = stacked(pages)
    s1 = fit_additive(x1, y, w, args.c, args.bins)
    x2 = np.hstack([sf.context_features(p.x, q, p.aux) for p, q in zip(pages, p1, strict=True)]).T
    s2 = fit_additive(x2, y, w, args.c, args.bins)
    return {
        "base_range": base_range(x1),
        "version": 3,
        "threshold": args.threshold,
        "decision": {
            "precision_weight": args.precision_weight,
            "threshold_range": args.threshold_range,
            **({"cut_tail": True} if args.cut_tail else {}),
        },
        "base_names": sf.BASE_NAMES,
        "context_names": sf.CONTEXT_NAMES,
        "lexicon": {k: v for k, v in lex.items() if not k.startswith("_")},
        "stage1": s1,
        "stage2": s2,
    }


# ---------------------------------------------------------------- title
def title_examples(page: Page, model: Model) -> tuple[np.ndarray, np.ndarray]:
    """Headline candidates of ``page`` under ``model`` (features x candidates) and their labels."""
    stats = sf.line_stats(page.doc, model.lexicon)
    # read as the shipped models were trained: lines at their own positions (every kit page has blank
    # lines, so reading it as layout text written without them, as strip may, would change nothing)
    keep, prob, reason, aux = _decide(page.doc, stats, model, layout=False)
    idx, feats = title_candidates(page.doc, keep, prob, reason, aux)
    labels = np.array([tuple(_WORD.findall(page.doc.stripped[i].lower())) == page.title for i in idx], bool)
    return feats, labels


def fit_title(examples: list[tuple[np.ndarray, np.ndarray]]) -> dict:
    """Logistic regression scoring headline candidates, and the threshold that picks best."""
    from sklearn.linear_model import LogisticRegression

    x = np.hstack([f for f, _ in examples]).T
    y = np.concatenate([lab for _, lab in examples])
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    clf = LogisticRegression(C=1.0, max_iter=3000).fit((x - mean) / scale, y)
    spec = {
        "mean": mean.round(6).tolist(),
        "scale": scale.round(6).tolist(),
        "coef": clf.coef_[0].round(5).tolist(),
        "intercept": round(float(clf.intercept_[0]), 5),
    }
    scorer = Additive(spec)
    best = []
    for f, lab in examples:
        if len(lab):
            score = scorer.predict(f)
            j = int(np.argmax(score))
            best.append((score[j], bool(lab[j]), bool(lab.any())))
    grid = np.linspace(0.05, 0.95, 19)
    accuracy = [np.mean([(s >= t and ok) or (s < t and not anyt) for s, ok, anyt in best]) for t in grid]
    # the accuracy is flat over a range of thresholds: take the lowest one within TITLE_TOLERANCE of
    # the best, since a headline found is worth more to a reader than no headline
    near_best = [t for t, acc in zip(grid, accuracy, strict=True) if acc >= max(accuracy) - TITLE_TOLERANCE]
    spec["threshold"] = round(float(min(near_best)), 3)
    curve = " ".join(f"{t:.2f}:{acc:.3f}" for t, acc in zip(grid, accuracy, strict=True))
    print(f"title: {max(accuracy):.3f} of pages with candidates right at best; threshold {spec['threshold']}")
    print(f"title accuracy by threshold: {curve}")
    return spec


# ---------------------------------------------------------------- evaluation (the kit's metric)
def _shingles(text: str) -> Counter:
    toks = _WORD.findall(text)
    if len(toks) < 4:
        return Counter([tuple(toks)]) if toks else Counter()
    return Counter(zip(toks, toks[1:], toks[2:], toks[3:], strict=False))


def page_prf(gold: str, body: str) -> tuple[float, float]:
    """Shingle precision and recall of one page; the precision of an empty body is NaN (the kit
    leaves such a page out of the mean precision; its recall is zero)."""
    g, b = _shingles(gold), _shingles(body)
    tp = sum((g & b).values())
    fp = sum((b - g).values())
    fn = sum((g - b).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    return (tp / (tp + fp) if tp + fp else np.nan), (tp / (tp + fn) if tp + fn else 0.0)


def report(name: str, prf: list[tuple[float, float]]) -> float:
    """Print the kit's figures of ``prf`` (per page precision and recall); returns the F1."""
    p = float(np.nanmean([x[0] for x in prf])) if any(x[0] == x[0] for x in prf) else 0.0
    r = float(np.mean([x[1] for x in prf]))
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    per_doc = np.mean([2 * a * b / (a + b) if a + b > 0 else 0.0 for a, b in prf])
    print(f"{name}: F1 {f1:.4f} P {p:.4f} R {r:.4f} mean per-doc F1 {per_doc:.4f}", flush=True)
    return f1


# ---------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--model", choices=sorted(PRESETS), default="layout", help="which shipped model to train")
    ap.add_argument("--train", type=Path, nargs="+", help="training files (.jsonl.gz); default: the model's")
    ap.add_argument("--out", type=Path, help="output file; default: the shipped model's file")
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--c", type=float, default=0.3, help="inverse L2 strength of both passes")
    ap.add_argument("--clean-weight", type=float, default=0.5, help="weight of a page's clean copy")
    ap.add_argument("--bins", type=int, default=8, help="quantile bins per feature (1: linear only)")
    ap.add_argument("--lex-c", type=float, default=0.1, help="inverse L2 strength of the lexicon")
    ap.add_argument("--min-sites", type=int, default=10, help="a lexicon word is used on this many sites")
    ap.add_argument("--threshold", type=float, default=0.4, help="keep a line from this probability on")
    ap.add_argument("--also-thresholds", type=float, nargs="*", default=[], help="also cross-validate these")
    ap.add_argument(
        "--precision-weight", type=float, default=0.55,
        help="per-page threshold maximising expected a*P + (1-a)*R (negative: fixed --threshold)",
    )
    ap.add_argument(
        "--threshold-range", type=float, nargs=2, default=[0.25, 0.7], help="clip of that threshold"
    )
    ap.add_argument("--no-cv", action="store_true", help="skip the cross-validated score (not the folds)")
    ap.add_argument(
        "--clean-only", type=Path, nargs="*",
        help="files whose pages are learnt only as clean bodies (the bodies this model re-reads)",
    )
    ap.add_argument(
        "--shape-weight", type=float, default=1.0, help="weight of a page of every --train file but the first"
    )
    ap.add_argument(
        "--label-gold", type=Path, nargs="*", default=[],
        help="also label as body the lines the gold of the same page (id) in these files makes body",
    )
    ap.add_argument(
        "--cut-tail", action="store_true", help="the model drops a last line that reads as cut short"
    )
    model_name = ap.parse_known_args(argv)[0].model
    ap.set_defaults(**PRESET_OPTIONS.get(model_name, {}))
    args = ap.parse_args(argv)
    preset_train, preset_clean, preset_out = PRESETS[args.model]
    args.train = args.train or preset_train
    args.clean_only = preset_clean if args.clean_only is None else args.clean_only
    args.out = args.out or preset_out
    if args.precision_weight < 0:
        args.precision_weight = None

    t0 = time.time()
    records = [
        {**record, "_source": path.name.split(".")[0], "_weight": 1.0 if i == 0 else args.shape_weight}
        for i, path in enumerate(args.train)
        for record in read_jsonl(path)
    ]
    records += [
        {**record, "_clean_only": True, "_weight": args.shape_weight}
        for path in args.clean_only
        for record in read_jsonl(path)
    ]
    add_full_pages(records, args.label_gold)
    pages = build_pages(records, args.clean_weight, args.cut_tail)
    vocab = build_vocabulary(pages, args.min_sites, 8000)
    attach_lexical_rows(pages, vocab)
    print(f"{len(records)} pages, {sum(len(p.y) for p in pages)} lines, {len(vocab)} words "
          f"({time.time() - t0:.0f} s)", flush=True)
    fold = folds_of(pages, args.folds)

    # out-of-fold lexical scores, then out-of-fold first-pass probabilities
    lex_k = []
    for k in range(args.folds):
        lex = fit_lexicon([p for p, f in zip(pages, fold, strict=True) if f != k], vocab, args.lex_c)
        set_lexical_columns([p for p, f in zip(pages, fold, strict=True) if f == k], lex)
        lex_k.append(lex)
    p1: list[np.ndarray] = [np.zeros(0)] * len(pages)
    for k in range(args.folds):
        train = [p for p, f in zip(pages, fold, strict=True) if f != k]
        stage1 = Additive(fit_additive(*stacked(train), args.c, args.bins))
        for i in np.flatnonzero(fold == k):
            p1[i] = stage1.predict(pages[i].x)
    print(f"out-of-fold first pass done ({time.time() - t0:.0f} s)", flush=True)

    # cross-validation of the whole pipeline; the headline scorer learns from its out-of-fold output
    adaptive = args.precision_weight is not None
    thresholds = [args.threshold] if adaptive else sorted({args.threshold, *args.also_thresholds})
    prf: dict[float, list[tuple[float, float]]] = {t: [] for t in thresholds}
    by_source: dict[str, list[tuple[float, float]]] = {}
    examples = []
    for k in range(args.folds):
        tr = np.flatnonzero(fold != k)
        model = Model(fit_model([pages[i] for i in tr], [p1[i] for i in tr], lex_k[k], args))
        for i in np.flatnonzero(fold == k):
            if not pages[i].clean:
                if pages[i].title:
                    examples.append(title_examples(pages[i], model))
                for t in thresholds if not args.no_cv else []:
                    model.threshold = t
                    body = strip_with_model(pages[i].doc.text, model).body
                    prf[t].append(page_prf(pages[i].gold, body))
                    by_source.setdefault(pages[i].source, []).append(prf[t][-1])
                model.threshold = args.threshold
    for t in thresholds if not args.no_cv else []:
        how = f"per-page threshold, precision weight {args.precision_weight}" if adaptive else f"at {t}"
        report(f"site-grouped {args.folds}-fold CV of strip() ({how})", prf[t])
    if len(thresholds) == 1:
        for source, scores in sorted(by_source.items()):
            report(f"  {source}", scores)

    spec = fit_model(pages, p1, fit_lexicon(pages, vocab, args.lex_c), args)
    spec["title_names"] = TITLE_NAMES
    spec["title"] = fit_title(examples) if examples else None  # blobs: the headline sits in a unit
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(spec, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB) in {time.time() - t0:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
