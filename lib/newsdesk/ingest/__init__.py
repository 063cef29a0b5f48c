"""Read a corpus folder: manifest, text files, language, problems, selection."""
