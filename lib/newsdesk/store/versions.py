"""The versions a store is keyed with: its format, the spaCy pipeline, the stripper, the date inference
and every registered per-article step (:mod:`newsdesk.extract.registry`)."""

from __future__ import annotations

import hashlib
import json

from newsdesk.extract.steps import all_steps

#: Bump when the layout or a table's columns change: a store of another format is refused, with a
#: message to annotate it afresh.
FORMAT_VERSION = "3"


def current_versions() -> dict[str, str]:
    """The version of everything whose output the store holds (the disk cache's keys carry them too)."""
    from newsdesk.extract.pubdate import pubdate_fingerprint
    from newsdesk.parsing.pipeline import pipeline_fingerprint
    from newsdesk.stripping.corpus import strip_fingerprint

    return {
        "format": FORMAT_VERSION,
        "pipeline": pipeline_fingerprint(),
        "strip": strip_fingerprint(),
        "pubdate": pubdate_fingerprint(),
        **{step.name: step.version() for step in all_steps()},
    }


def digest(*parts: object) -> str:
    """A short hash of JSON-serialisable ``parts`` (keys of units and versions)."""
    return hashlib.sha256(json.dumps(parts, default=str, separators=(",", ":")).encode()).hexdigest()[:32]


def version_key(versions: dict[str, str]) -> str:
    """One key for all the versions."""
    return digest(sorted(versions.items()))
