export { createDnsDiscovery } from './dns.ts';
export type { DnsDiscovery, DnsDiscoveryOptions, DnsLookup } from './dns.ts';
export { createFileDiscovery } from './file.ts';
export type { FileDiscovery, FileDiscoveryOptions } from './file.ts';
export { TargetFeed } from './listeners.ts';
export { createStaticDiscovery, normalizeTargets } from './static.ts';
export type { StaticDiscovery } from './static.ts';
