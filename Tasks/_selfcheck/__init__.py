"""Helpers of Tasks/selfcheck.py (not a task; the task catalog skips folders without task files)."""
