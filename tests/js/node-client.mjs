// A @sentry/node app that calls a URL inside a span, for the interop tests:
//   node --import ./instrument.mjs node-client.mjs URL
// Node's fetch is instrumented by the SDK: the request gets an http.client span and, when the URL is a
// propagation target (every URL by default), sentry-trace and baggage. Once the SDK has flushed
// (the transaction is then at SENTRY_DSN), prints one JSON line:
//   {"traceId","spanId","sampled","status","body"}   spanId: the root span, not the fetch span
import * as Sentry from '@sentry/node';

const url = process.argv[2];
if (!url) {
  console.error('usage: node --import ./instrument.mjs node-client.mjs URL');
  process.exit(2);
}

const result = await Sentry.startSpan({ name: 'checkout', op: 'task' }, async (span) => {
  const response = await fetch(url);
  const body = await response.text();
  const { traceId, spanId } = span.spanContext();
  return { traceId, spanId, sampled: span.isRecording(), status: response.status, body };
});

const flushed = await Sentry.flush(15000);
if (!flushed) {
  console.error('Sentry.flush timed out');
}

process.stdout.write(JSON.stringify(result) + '\n');
process.exit(flushed ? 0 : 1);
