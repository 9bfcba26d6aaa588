// A real graphql-transport-ws client (graphql-ws, as front ends use it) for the subscription tests.
//
// node subscribe.mjs '{"url": "ws://…/graphql", "query": "subscription …", "variables": {}, "key": "sdr_…",
//                      "count": 3, "timeoutMs": 20000}'
//
// Prints one JSON line per message: {"connected": true} once the server acknowledged the connection,
// {"next": payload} for each result, {"error": …} or {"closed": code, "reason": …}, and exits after
// `count` results, or at the timeout with {"timeout": true}.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const options = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url: options.url,
  webSocketImpl: WebSocket,
  lazy: false,
  retryAttempts: 0,
  connectionParams: options.key ? { Authorization: `Bearer ${options.key}` } : {},
  on: {
    connected: () => print({ connected: true }),
    closed: (event) => {
      if (event && event.code !== 1000) print({ closed: event.code, reason: event.reason });
    },
  },
});

let received = 0;
const done = (code) => {
  client.dispose();
  setTimeout(() => process.exit(code), 50);
};
setTimeout(() => {
  print({ timeout: true });
  done(2);
}, options.timeoutMs ?? 20000);

client.subscribe(
  { query: options.query, variables: options.variables ?? {} },
  {
    next: (payload) => {
      if (received >= (options.count ?? 1)) return;
      print({ next: payload });
      received += 1;
      if (received >= (options.count ?? 1)) done(0);
    },
    error: (error) => {
      // a close event, or the operation's GraphQL errors
      print({ error: Array.isArray(error) ? error : { code: error?.code, reason: error?.reason, message: String(error?.message ?? error) } });
      done(1);
    },
    complete: () => done(0),
  },
);
