"""The spaCy pipeline and parsing through the disk cache."""
