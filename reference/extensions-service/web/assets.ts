/** A tiny single-page app, embedded so the service runs without a build step. */
export const EMBEDDED_WEB_ASSETS: Readonly<Record<string, string>> = Object.freeze({
  'index.html': `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Extensions service</title><link rel="stylesheet" href="/assets/app-5f3c9e1A.css"></head>
<body><main id="app">Loading…</main><script type="module" src="/assets/app-9b2d4e7F.js"></script></body>
</html>
`,
  'assets/app-5f3c9e1A.css': 'body{font-family:system-ui;margin:2rem}\n',
  'assets/app-9b2d4e7F.js': `const el = document.getElementById('app');
fetch('/api/v1/products').then((r) => r.json()).then((b) => { el.textContent = b.data.length + ' products'; });
`,
});
