// Live case-study changes: a small graphql-transport-ws client, or polling when no socket opens.
import { operationName } from "./api.js";

const POLL_MS = 3000;
const ACK_TIMEOUT_MS = 3000;
const RETRIES = 3; // a socket that worked and dropped is opened again this many times, then we poll

// Calls onChange() at every change; onMode(mode) says "socket" or "polling". Returns stop().
export function watch(subscription, key, onChange, onMode) {
  let stopped = false;
  let timer = null;
  let socket = null;
  let lastId = null; // the last event seen: a new socket resumes after it
  let retries = RETRIES;

  const poll = () => {
    if (stopped || timer) return;
    onMode("polling");
    timer = setInterval(onChange, POLL_MS);
  };

  const open = () => {
    let acknowledged = false;
    try {
      const url = new URL("../graphql", document.baseURI);
      url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
      socket = new WebSocket(url, "graphql-transport-ws");
    } catch {
      poll();
      return;
    }
    const giveUp = setTimeout(() => { if (!acknowledged) socket.close(); }, ACK_TIMEOUT_MS);
    socket.onopen = () => {
      socket.send(JSON.stringify({ type: "connection_init", payload: key ? { Authorization: `Bearer ${key}` } : {} }));
    };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "connection_ack") {
        acknowledged = true;
        clearTimeout(giveUp);
        onMode("socket");
        const payload = { query: subscription, operationName: operationName(subscription), variables: { after: lastId } };
        socket.send(JSON.stringify({ id: "1", type: "subscribe", payload }));
        if (lastId !== null) onChange(); // back after a drop: catch up now, the missed events follow
      } else if (message.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (message.type === "next") {
        const data = message.payload && message.payload.data;
        const change = data && Object.values(data)[0];
        if (change && change.id) lastId = change.id;
        onChange();
      } else if (message.type === "error" || message.type === "complete") {
        retries = 0; // the server cannot serve this subscription: keep the list fresh by polling
        socket.close();
      }
    };
    socket.onclose = () => {
      clearTimeout(giveUp);
      if (stopped) return;
      if (acknowledged && retries-- > 0) setTimeout(open, 1000);
      else poll();
    };
  };

  open();
  return () => {
    stopped = true;
    clearInterval(timer);
    if (socket && socket.readyState <= 1) socket.close();
  };
}
