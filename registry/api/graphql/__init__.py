"""What GraphQL clients see: the types, inputs, filters, payloads, queries, mutations and subscriptions."""
