"""Notifications: in-app messages and email (immediately, in a daily digest, or not at all)."""
