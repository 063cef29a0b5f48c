"""Shared plumbing every stage uses: the on-disk cache and content hashes."""
