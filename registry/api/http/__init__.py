"""How a GraphQL document travels: HTTP, WebSocket, persisted documents, limits and caches."""
