// The GraphQL-over-HTTP server audit of the graphql-http package, against a running registry.
// Usage: node audit.mjs http://127.0.0.1:PORT/graphql
// Prints one line per audit not passed, then a summary line "ok=N notices=N warnings=N errors=N"
// (parsed by the pytest test); exits 1 when any audit warns or errors (a notice is a MAY).
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    let body = '';
    try {
      body = await result.response.text();
    } catch {
      body = '(no body)';
    }
    console.log(`${result.status} ${result.id} ${result.name}: ${result.reason} -- ${result.response.status} ${body.slice(0, 200)}`);
  }
}
console.log(`ok=${counts.ok} notices=${counts.notice} warnings=${counts.warn} errors=${counts.error}`);
process.exit(counts.warn + counts.error > 0 ? 1 : 0);
