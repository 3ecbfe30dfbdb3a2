"""reportgen: official trade statistics in, wire-style briefings out."""

__version__ = "0.1.0"
