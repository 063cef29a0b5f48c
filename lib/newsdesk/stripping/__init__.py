"""Boilerplate stripping: the per-article line classifier and the corpus-level passes."""
