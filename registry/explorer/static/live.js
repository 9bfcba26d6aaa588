// Live case-study changes: a small graphql-transport-ws client, or polling when no socket opens.
import { operationName } from "./api.js";

const POLL_MS = 3000;
const ACK_TIMEOUT_MS = 3000;

// Calls onChange() at every change; onMode(mode) says "socket" or "polling". Returns stop().
export function watch(subscription, key, onChange, onMode) {
  let stopped = false;
  let timer = null;
  let socket = null;

  const poll = () => {
    if (stopped || timer) return;
    onMode("polling");
    timer = setInterval(onChange, POLL_MS);
  };

  try {
    const url = new URL("../graphql", document.baseURI);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(url, "graphql-transport-ws");
  } catch {
    poll();
    return () => { stopped = true; clearInterval(timer); };
  }
  let acknowledged = false;
  const giveUp = setTimeout(() => { if (!acknowledged) { socket.close(); poll(); } }, ACK_TIMEOUT_MS);
  socket.onopen = () => {
    socket.send(JSON.stringify({ type: "connection_init", payload: key ? { Authorization: `Bearer ${key}` } : {} }));
  };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.type === "connection_ack") {
      acknowledged = true;
      clearTimeout(giveUp);
      onMode("socket");
      const payload = { query: subscription, operationName: operationName(subscription) };
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload }));
    } else if (message.type === "ping") {
      socket.send(JSON.stringify({ type: "pong" }));
    } else if (message.type === "next") {
      onChange();
    } else if (message.type === "error" || message.type === "complete") {
      socket.close(); // the server cannot serve this subscription: keep the list fresh by polling
      poll();
    }
  };
  socket.onerror = () => poll();
  socket.onclose = () => { clearTimeout(giveUp); if (!stopped) poll(); };
  return () => {
    stopped = true;
    clearTimeout(giveUp);
    clearInterval(timer);
    if (socket && socket.readyState <= 1) socket.close();
  };
}
