"""Weir's runtime: everything below the UI (config, topics, connectors, launch, profiles)."""

__version__ = "0.1.0"
