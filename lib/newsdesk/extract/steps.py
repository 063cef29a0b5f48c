"""Every built-in per-article step, registered: import this module before iterating the registry.

The steps register themselves in their own modules (:func:`newsdesk.extract.registry.register`);
importing them here makes :func:`all_steps` complete whoever asks first.
"""

from __future__ import annotations

from newsdesk.extract import claims, events, quotes, spans, tone  # noqa: F401  (each registers its steps)
from newsdesk.extract.registry import Step, registered


def all_steps() -> list[Step]:
    """The registered steps (built-in and any registered since), in registration order."""
    return registered()
