// One Lighthouse run (mobile, performance only) of a signed-in page, for
// benchmarks/bench_browser.py:
//     node run.mjs URL REPORT.json
// Environment: CHROME_PATH (Debian's Chromium), LIGHTHOUSE_CHROME_FLAGS, and
// LIGHTHOUSE_COOKIES (a JSON list of {name, value}) put in the browser's cookie jar before
// the run. In the jar, not in a Cookie header: a header applies to the first request only
// once the page has set a cookie of its own (CSRF), so the page's own requests (the
// notification bell, the session check) would run signed out.
import { writeFile } from 'node:fs/promises';
import lighthouse from 'lighthouse';
import puppeteer from 'puppeteer-core';

const [url, report] = process.argv.slice(2);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROME_PATH,
  args: (process.env.LIGHTHOUSE_CHROME_FLAGS || '').split(' ').filter(Boolean),
  headless: true,
  defaultViewport: null,
});
try {
  const cookies = JSON.parse(process.env.LIGHTHOUSE_COOKIES || '[]');
  const { origin } = new URL(url);
  const page = await browser.newPage();
  if (cookies.length) {
    await browser.setCookie(...cookies.map((c) => ({ name: c.name, value: c.value, url: origin })));
  }
  const result = await lighthouse(
    url,
    { output: 'json', onlyCategories: ['performance'], logLevel: 'error' },
    undefined,
    page,
  );
  await writeFile(report, result.report);
} finally {
  await browser.close();
}
