// An http server instrumented by @sentry/node, for the interop tests:
//   node --import ./instrument.mjs node-server.mjs
// The SDK continues the trace of each request (sentry-trace, baggage) in its http.server span and sends
// that transaction to SENTRY_DSN. Every request is answered with what arrived:
//   {"path","headers","span":{"trace_id","span_id","parent_span_id"},"sampled"}
// GET /flush waits until the SDK has sent everything. On start, prints {"event":"listening","port":N}.
import http from 'node:http';
import * as Sentry from '@sentry/node';

const server = http.createServer(async (req, res) => {
  if (req.url === '/flush') {
    const flushed = await Sentry.flush(15000);
    res.writeHead(flushed ? 200 : 504, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ flushed }));
    return;
  }

  const active = Sentry.getActiveSpan();
  const root = active ? Sentry.getRootSpan(active) : undefined;
  const json = root ? Sentry.spanToJSON(root) : undefined;
  const body = {
    path: req.url,
    headers: req.headers,
    span: json ? { trace_id: json.trace_id, span_id: json.span_id, parent_span_id: json.parent_span_id ?? null } : null,
    sampled: root ? root.isRecording() : false,
  };
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
});

server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ event: 'listening', port: server.address().port }) + '\n');
});

const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
