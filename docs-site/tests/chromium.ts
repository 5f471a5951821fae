/** Where the browser test finds Chromium: Debian's package, or PLUMEGO_CHROMIUM. Never a downloaded browser. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface ChromiumPlan {
  readonly path: string;
  /** False only outside CI when the binary is missing: the browser tests are skipped. */
  readonly run: boolean;
  /** The one line printed when the tests are skipped, or the error when CI lacks the browser. */
  readonly message?: string;
}

/**
 * Decides whether the browser tests run. A laptop without Chromium still passes `npm test` and is
 * told how to install it; under CI a missing browser is a failure, never a silent skip.
 */
export function planChromium(
  env: Readonly<Record<string, string | undefined>>,
  exists: (path: string) => boolean,
): ChromiumPlan {
  const path = env['PLUMEGO_CHROMIUM'] || DEFAULT_CHROMIUM;
  if (exists(path)) return { path, run: true };
  const install = `install it with \`apt-get install chromium\`${path === DEFAULT_CHROMIUM ? '' : ` or point PLUMEGO_CHROMIUM at a Chromium binary (now ${path})`}`;
  if (env['CI'])
    return { path, run: true, message: `chromium is required under CI but ${path} does not exist: ${install}` };
  return { path, run: false, message: `skipping the docs-site browser tests: no chromium at ${path}; ${install}` };
}
