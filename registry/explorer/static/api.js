// The explorer's only way to the registry: POST JSON to the public /graphql endpoint.
const KEY = "registry-explorer-key"; // sessionStorage only: the key is gone when the tab closes

export function savedKey() {
  return sessionStorage.getItem(KEY) || "";
}

export function saveKey(key) {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
}

// The operation name is the first word after query/mutation/subscription in its text.
export function operationName(text) {
  return /\b(?:query|mutation|subscription)\s+(\w+)/.exec(text)[1];
}

export class GraphQLError extends Error {}

export async function request(operation, variables = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/graphql-response+json" };
  const key = savedKey();
  if (key) headers.Authorization = `Bearer ${key}`;
  const response = await fetch(new URL("../graphql", document.baseURI), {
    method: "POST",
    headers,
    body: JSON.stringify({ query: operation, operationName: operationName(operation), variables }),
  });
  const body = await response.json().catch(() => ({ errors: [{ message: response.statusText }] }));
  if (body.errors && body.errors.length) throw new GraphQLError(body.errors.map((e) => e.message).join(" "));
  return body.data;
}

export function idempotencyKey() {
  return crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
