"""Briefings: the notebook runner, the offline HTML report and the command line."""
