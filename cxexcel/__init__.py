"""cxexcel: standard workbooks, validation and consolidation for the client-experience pilot."""

__version__ = "0.1.0"
