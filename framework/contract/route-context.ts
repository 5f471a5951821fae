import type { Request } from './request.ts';

/** What the router learned about a request (the reference's `RequestContext`). */
export interface RequestContext {
  /** Decoded route parameters by name. */
  readonly params: Readonly<Record<string, string>>;
  /** Matched pattern such as `/users/:id`; '' when no route matched (yet). */
  readonly routePattern: string;
  readonly routeName: string;
}

/** Snapshot of the route the request matched. Cheap fields are also on `r.state`. */
export function requestContextFromRequest(r: Request): RequestContext {
  const st = r.state;
  const params: Record<string, string> = {};
  for (let i = 0; i < st.paramNames.length; i++) params[st.paramNames[i]!] = st.paramValues[i]!;
  return { params, routePattern: st.routePattern, routeName: st.routeName };
}

/** One route parameter, or '' (same as `r.param(name)`). */
export function param(r: Request, name: string): string {
  return r.param(name);
}
