"""The Parquet store that ``newsdesk annotate`` writes and ``open_store`` reads."""
