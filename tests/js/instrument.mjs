// Starts @sentry/node before the app is loaded (node --import ./instrument.mjs app.mjs), as Sentry's
// docs say for ESM. Settings come from the environment so that each test chooses its own:
//   SENTRY_DSN                       where envelopes go (the tests' ingestion stand-in)
//   SENTRY_RELEASE, SENTRY_ENVIRONMENT
//   SENTRY_TRACES_SAMPLE_RATE        default 1
//   SENTRY_TRACE_PROPAGATION_TARGETS a JSON array of strings; strings starting with ^ become RegExps
//   SENTRY_DEBUG=1                   the SDK's own logging, on stderr
import * as Sentry from '@sentry/node';

const env = process.env;
const targets = env.SENTRY_TRACE_PROPAGATION_TARGETS
  ? JSON.parse(env.SENTRY_TRACE_PROPAGATION_TARGETS).map((t) => (t.startsWith('^') ? new RegExp(t) : t))
  : undefined;

Sentry.init({
  dsn: env.SENTRY_DSN,
  release: env.SENTRY_RELEASE,
  environment: env.SENTRY_ENVIRONMENT,
  tracesSampleRate: env.SENTRY_TRACES_SAMPLE_RATE === undefined ? 1 : Number(env.SENTRY_TRACES_SAMPLE_RATE),
  ...(targets && { tracePropagationTargets: targets }),
  debug: env.SENTRY_DEBUG === '1',
});
