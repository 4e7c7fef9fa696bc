// The slow-client scenario of build/stress.sh against a Sentry tunnel: CONNECTIONS sockets each declare
// DECLARED bytes of envelope, send SENT bytes of it, then stay silent. Prints when and how each was answered,
// and the status of one ordinary envelope sent during the attack and one after it.
// Usage: node slow-tunnel-clients.mjs URL DSN CONNECTIONS DECLARED SENT WAIT_SECONDS
import net from "node:net";

const [url, dsn, connections, declared, sent, waitSeconds] = process.argv.slice(2);
const target = new URL(url);
const count = Number(connections);
const start = performance.now();
const since = () => (performance.now() - start) / 1000;

const header = `{"dsn":"${dsn}","sdk":{"name":"sentry.javascript.browser","version":"10.78.0"}}\n{"type":"attachment"}\n`;
const body = Buffer.alloc(Number(sent), "x");
body.write(header, 0, "utf8");
const head = `POST ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nContent-Type: text/plain;charset=UTF-8\r\nContent-Length: ${declared}\r\n\r\n`;

function slowClient() {
  return new Promise((resolve) => {
    const result = { status: null, answeredAt: null, closedAt: null };
    const socket = net.connect(Number(target.port), target.hostname, () => {
      socket.write(head);
      socket.write(body);
    });
    let text = "";
    socket.on("data", (chunk) => {
      if (result.status === null) {
        text += chunk.toString("latin1");
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
        if (match) {
          result.status = Number(match[1]);
          result.answeredAt = since();
        }
      }
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      result.closedAt = since();
      resolve(result);
    });
    result.socket = socket;
    slowClient.open.push(result);
  });
}
slowClient.open = [];

async function envelope() {
  const t0 = performance.now();
  try {
    const response = await fetch(url, { method: "POST", body: header + "{}", headers: { "content-type": "text/plain;charset=UTF-8" } });
    await response.arrayBuffer();
    return { status: response.status, retryAfter: response.headers.get("retry-after"), ms: Math.round(performance.now() - t0) };
  } catch (e) {
    return { status: String(e.cause?.code ?? e.message), ms: Math.round(performance.now() - t0) };
  }
}

const clients = [];
for (let i = 0; i < count; i++) {
  clients.push(slowClient());
}

// Once every slow body has been sent (or the server stopped taking it), one ordinary envelope.
await new Promise((r) => setTimeout(r, 2000));
const during = await envelope();

const deadline = new Promise((r) => setTimeout(r, Number(waitSeconds) * 1000));
await Promise.race([Promise.all(clients), deadline]);
const waited = since();
for (const c of slowClient.open) {
  c.socket.destroy();
}
const results = await Promise.all(clients);
await new Promise((r) => setTimeout(r, 500));
const after = await envelope();

const statuses = {};
for (const r of results) {
  const key = r.status ?? `no answer within ${Math.round(waited)} s`;
  statuses[key] = (statuses[key] ?? 0) + 1;
}
const times = (pick) => {
  const v = results.map(pick).filter((x) => x !== null).sort((a, b) => a - b);
  if (v.length === 0) return "none";
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))].toFixed(1);
  return `${v.length} of ${results.length}: min ${q(0)} s, median ${q(0.5)} s, max ${v[v.length - 1].toFixed(1)} s`;
};
console.log(`slow clients: ${count} x (Content-Length ${declared}, ${sent} bytes sent, then silent)`);
console.log(`answers: ${JSON.stringify(statuses)}`);
console.log(`time to answer: ${times((r) => r.answeredAt)}`);
console.log(`closed by the server: ${times((r) => (r.status !== null && r.closedAt !== null && r.closedAt < waited) ? r.closedAt : null)}`);
console.log(`an ordinary envelope during the attack: ${JSON.stringify(during)}; after it: ${JSON.stringify(after)}`);
