"""Corpus-level analyses: quotes across articles, the chronology, framing."""
