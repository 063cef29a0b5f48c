"""Language identification, so that only English articles are parsed with the English model."""

from __future__ import annotations

from functools import lru_cache

#: Below this many letters a guess is unreliable, and the article is assumed to be English.
MIN_LETTERS = 200
#: A non-English guess must be at least this probable before an article is set aside.
MIN_CONFIDENCE = 0.95


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and probability for ``text`` (its first 8,000 characters).

    Returns ``(None, 0.0)`` when there are too few letters to tell.
    """
    sample = text[:8_000]
    # most texts have enough letters in their first thousand characters: count further only if not
    if sum(map(str.isalpha, sample[:1_000])) < MIN_LETTERS and sum(map(str.isalpha, sample)) < MIN_LETTERS:
        return None, 0.0
    code, probability = _identifier().classify(sample)
    return code, float(probability)
