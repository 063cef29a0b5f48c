"""Presentation: the house chart style, tables and written findings for every stage."""
