"""Use cases of the registry: validation, permissions and ranking rules."""
