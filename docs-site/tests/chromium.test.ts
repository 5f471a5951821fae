import { describe, expect, it } from 'vitest';
import { DEFAULT_CHROMIUM, planChromium } from './chromium.ts';

const none = (): boolean => false;
const only =
  (path: string) =>
  (p: string): boolean =>
    p === path;

describe('planChromium', () => {
  it("runs with Debian's chromium when it exists", () => {
    expect(planChromium({}, only(DEFAULT_CHROMIUM))).toEqual({ path: DEFAULT_CHROMIUM, run: true });
  });

  it('skips outside CI with one line that says how to install it', () => {
    const plan = planChromium({}, none);
    expect(plan.run).toBe(false);
    expect(plan.message).toMatch(
      /^skipping the docs-site browser tests: no chromium at \/usr\/bin\/chromium; install it with `apt-get install chromium`$/,
    );
  });

  it('requires the browser under CI instead of skipping', () => {
    const plan = planChromium({ CI: 'true' }, none);
    expect(plan.run).toBe(true);
    expect(plan.message).toMatch(/required under CI.*apt-get install chromium/);
  });

  it('treats an empty CI variable as unset', () => {
    expect(planChromium({ CI: '' }, none).run).toBe(false);
  });

  it('uses PLUMEGO_CHROMIUM and names it when it is missing', () => {
    expect(planChromium({ PLUMEGO_CHROMIUM: '/opt/chrome' }, only('/opt/chrome'))).toEqual({
      path: '/opt/chrome',
      run: true,
    });
    expect(planChromium({ PLUMEGO_CHROMIUM: '/opt/chrome' }, none).message).toMatch(
      /PLUMEGO_CHROMIUM.*\(now \/opt\/chrome\)/,
    );
  });
});
