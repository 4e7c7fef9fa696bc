// Bundles the storefront's browser code with @sentry/browser (run by Shop.csproj at build time):
// node bundle.mjs OUTFILE
import { build } from 'esbuild';

const outfile = process.argv[2];
if (!outfile) {
  console.error('usage: node bundle.mjs OUTFILE');
  process.exit(2);
}

await build({
  entryPoints: [new URL('./Storefront/js/shop.js', import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2022',
  logLevel: 'warning',
  outfile,
});
