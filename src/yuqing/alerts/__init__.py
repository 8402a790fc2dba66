"""Alerts: rules, throttling, channels and the outbox; cases, users and roles."""
