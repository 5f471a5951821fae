import type { Request } from 'plumego/contract';

/** The value of route parameter `name` for the matched route, or '' (same as `r.param(name)`). */
export function param(r: Request, name: string): string {
  return r.param(name);
}
