"""Reads behind the workspace: memos (memos.py), governance timelines (timelines.py) and the
regulatory mapping of a watchlist (mapping.py)."""
