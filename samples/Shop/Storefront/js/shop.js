// The storefront's browser code (service A of the seed's cross-service example). esbuild bundles it with
// @sentry/browser when the sample builds; the page loads the bundle from the storefront itself.
import * as Sentry from '@sentry/browser';

const config = JSON.parse(document.getElementById('shop-config').textContent);

// Sentry's browser SDK (10.x) sets up its integrations only when it has a transport, that is a DSN:
// without one it would neither continue the page's trace nor add trace headers to fetch. So with no DSN
// configured the page gets a placeholder DSN; its envelopes then go only to the storefront's tunnel, which
// in Development shows them in the console tree (and Spotlight), or, with no tunnel, nowhere at all.
const offline = !config.dsn;

Sentry.init({
  dsn: offline ? 'http://offline@localhost/0' : config.dsn,
  ...(offline && !config.tunnel && { transport: (options) => Sentry.createTransport(options, async () => ({})) }),
  // Envelopes go to the storefront's own origin, which ad blockers leave alone; it forwards them to Sentry.
  ...(config.tunnel && { tunnel: config.tunnel }),
  // Reads <meta name="sentry-trace"> and <meta name="baggage"> and continues the server's trace.
  integrations: [Sentry.browserTracingIntegration()],
  tracesSampleRate: 1,
  // Only the orders API gets sentry-trace and baggage (its CORS policy allows them).
  tracePropagationTargets: [config.ordersUrl],
});

const button = document.getElementById('place-order');
const status = document.getElementById('order-status');

function show(state, text) {
  status.dataset.state = state;
  status.textContent = text;
}

button.addEventListener('click', async () => {
  button.disabled = true;
  show('pending', 'Placing the order…');
  try {
    // The user action is a span; the fetch inside it is its http.client child, whose id the orders
    // API receives as its parent in sentry-trace.
    const order = await Sentry.startSpan({ name: 'process_order', op: 'ui.action' }, async () => {
      const response = await fetch(`${config.ordersUrl}/api/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ item: 'coffee', quantity: 2 }),
      });
      if (!response.ok) {
        throw new Error(`the orders API answered ${response.status}`);
      }
      return response.json();
    });
    show('done', `Order ${order.orderId} is paid (${order.transactionId}).`);
  } catch (error) {
    show('failed', `The order failed: ${error.message}`);
  } finally {
    button.disabled = false;
  }
});

button.disabled = false;
