"""How a GraphQL document runs: the per-request context and loaders, the cost, the lean executor."""
