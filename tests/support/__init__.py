"""Helpers the tests share that are not data: HTTP clients, downloads, the access matrix."""
