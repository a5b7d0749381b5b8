"""The reviewers' web UI: server-rendered pages over the same services as the JSON API (see routes.py)."""
