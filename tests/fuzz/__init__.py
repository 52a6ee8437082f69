"""Fuzz harnesses: one hypothesis-driven harness per public entry point (see harness.py)."""
