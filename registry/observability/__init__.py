"""Metrics, JSON logs and traces."""
