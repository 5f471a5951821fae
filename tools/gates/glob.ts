/**
 * The glob dialect of specs/gate-profiles.yaml: `**` spans any number of directories (including none),
 * `*` and `?` stay within one path segment, everything else is literal, and a pattern matches the whole
 * repository-relative path (forward slashes).
 */
const compiled = new Map<string, RegExp>();

function compileGlob(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      // "**/" may match nothing, so "**/module.yaml" also matches a top-level module.yaml.
      if (pattern[i + 2] === '/') {
        source += '(?:.*/)?';
        i += 2;
      } else {
        source += '.*';
        i += 1;
      }
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** True when the repository-relative path matches the glob. */
export function matchGlob(pattern: string, path: string): boolean {
  let re = compiled.get(pattern);
  if (!re) compiled.set(pattern, (re = compileGlob(pattern)));
  return re.test(path);
}
