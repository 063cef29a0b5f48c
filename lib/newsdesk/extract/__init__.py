"""Per-article extractors over a parsed body: quotes, speakers, timexes, dates, lexicons."""
