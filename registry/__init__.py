"""The Self Data Territorial registry: territories, actors, domains, use cases and experiments."""

__version__ = "0.1.0"
