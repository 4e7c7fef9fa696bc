// Drives Debian's Chromium (headless, through playwright-core) through the storefront sample for the
// interop tests: node browser-order.mjs STOREFRONT_URL
//
// Line protocol, one JSON object per line on stdout:
//   -> {"event":"loaded","sentryTrace":"…","baggage":"…","serverTiming":"…"}  the page is loaded and its script ready
//   <- "click" on stdin                                     press "Place order"
//   -> {"event":"ordered","state":"done|failed","text":"…"} the page shows the outcome
//   <- "forge DSN" on stdin                                 from the page, post an envelope for DSN to its tunnel
//   -> {"event":"forged","status":400}                      the tunnel's answer
//   <- "close" on stdin (or stdin ends)                     close the browser and exit
// Console messages, page errors and failed requests of the page go to stderr.
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';

const url = process.argv[2];
const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const timeout = Number(process.env.BROWSER_STEP_TIMEOUT_MS || 45000);

if (!url) {
  console.error('usage: node browser-order.mjs STOREFRONT_URL');
  process.exit(2);
}

const send = (message) => process.stdout.write(JSON.stringify(message) + '\n');

const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

let closing = false;
async function close(code) {
  if (closing) return;
  closing = true;
  await browser.close().catch(() => {});
  process.exit(code);
}

try {
  const page = await browser.newPage();
  page.setDefaultTimeout(timeout);
  page.on('console', (m) => console.error(`[console.${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => console.error(`[pageerror] ${e.message}`));
  page.on('requestfailed', (r) => console.error(`[requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText}`));

  const response = await page.goto(url, { waitUntil: 'load' });
  await page.waitForSelector('#place-order:enabled');
  const content = (name) => page.$eval(`meta[name="${name}"]`, (e) => e.content).catch(() => null);
  send({
    event: 'loaded',
    sentryTrace: await content('sentry-trace'),
    baggage: await content('baggage'),
    serverTiming: response?.headers()['server-timing'] ?? null,
  });

  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    const command = line.trim();
    if (command === 'click') {
      await page.click('#place-order');
      await page.waitForSelector('#order-status[data-state="done"], #order-status[data-state="failed"]');
      const status = page.locator('#order-status');
      send({ event: 'ordered', state: await status.getAttribute('data-state'), text: await status.textContent() });
    } else if (command.startsWith('forge ')) {
      const dsn = command.slice('forge '.length);
      const status = await page.evaluate(async (forged) => {
        const config = JSON.parse(document.getElementById('shop-config').textContent);
        const body = `${JSON.stringify({ dsn: forged, sent_at: new Date().toISOString() })}\n{"type":"event"}\n{}`;
        const answer = await fetch(config.tunnel, { method: 'POST', body });
        return answer.status;
      }, dsn);
      send({ event: 'forged', status });
    } else if (command === 'close') {
      break;
    } else if (command.length > 0) {
      console.error(`unknown command: ${command}`);
    }
  }

  await close(0);
} catch (error) {
  console.error(error?.stack || String(error));
  await close(1);
}
