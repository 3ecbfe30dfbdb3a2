"""Deliver: the archive under output/, the email digest, and the editors' web page."""
