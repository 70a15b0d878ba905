"""Parsers: one module per source document, text in, frozen records out."""
