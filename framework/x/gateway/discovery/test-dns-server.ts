// Test-only: a tiny authoritative DNS responder over UDP (RFC 1035), so discovery tests exercise
// Node's real c-ares resolver — wire format, TTLs, NXDOMAIN — instead of an injected fake.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';

export interface DnsA {
  address: string;
  ttl: number;
}
export interface DnsSrv {
  name: string;
  port: number;
  priority: number;
  weight: number;
  ttl: number;
}

/** Records served per lowercase name; edit them between queries to simulate DNS changes. */
export interface DnsZone {
  a: Map<string, DnsA[]>;
  aaaa: Map<string, DnsA[]>;
  srv: Map<string, DnsSrv[]>;
}

export interface TestDnsServer {
  readonly zone: DnsZone;
  /** `127.0.0.1:port`, for `Resolver.setServers`. */
  readonly address: string;
  /** Questions received, as `TYPE name`. */
  readonly queries: string[];
  /** When set, queries get SERVFAIL. */
  failing: boolean;
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const TYPE_SRV = 33;
const TYPE_NAMES: Record<number, string> = { [TYPE_A]: 'A', [TYPE_AAAA]: 'AAAA', [TYPE_SRV]: 'SRV' };

function encodeName(name: string): Buffer {
  const parts: Buffer[] = [];
  for (const label of name.replace(/\.$/, '').split('.')) {
    const bytes = Buffer.from(label, 'ascii');
    parts.push(Buffer.from([bytes.length]), bytes);
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

function readName(msg: Buffer, offset: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = offset;
  for (;;) {
    const len = msg[i];
    if (len === undefined || len > 63) throw new Error('bad qname');
    i++;
    if (len === 0) break;
    labels.push(msg.toString('ascii', i, i + len));
    i += len;
  }
  return { name: labels.join('.').toLowerCase(), end: i };
}

function ipv6Bytes(address: string): Buffer {
  const [head = '', tail] = address.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, k) => out.writeUInt16BE(parseInt(g, 16), k * 2));
  return out;
}

function record(type: number, ttl: number, rdata: Buffer): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt16BE(0xc00c, 0); // pointer to the question's name
  fixed.writeUInt16BE(type, 2);
  fixed.writeUInt16BE(1, 4); // class IN
  fixed.writeUInt32BE(ttl, 6);
  fixed.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([fixed, rdata]);
}

function answer(zone: DnsZone, type: number, name: string): Buffer[] | undefined {
  if (type === TYPE_A || type === TYPE_AAAA) {
    const list = (type === TYPE_A ? zone.a : zone.aaaa).get(name);
    return list?.map((r) =>
      record(type, r.ttl, type === TYPE_A ? Buffer.from(r.address.split('.').map(Number)) : ipv6Bytes(r.address)),
    );
  }
  if (type === TYPE_SRV) {
    return zone.srv.get(name)?.map((r) => {
      const head = Buffer.alloc(6);
      head.writeUInt16BE(r.priority, 0);
      head.writeUInt16BE(r.weight, 2);
      head.writeUInt16BE(r.port, 4);
      return record(TYPE_SRV, r.ttl, Buffer.concat([head, encodeName(r.name)]));
    });
  }
  return undefined;
}

function respond(server: TestDnsServer, msg: Buffer): Buffer | undefined {
  if (msg.length < 12) return undefined;
  const { name, end } = readName(msg, 12);
  const type = msg.readUInt16BE(end);
  server.queries.push(`${TYPE_NAMES[type] ?? type} ${name}`);
  const question = msg.subarray(12, end + 4);
  const records = server.failing ? undefined : answer(server.zone, type, name);
  const known = server.zone.a.has(name) || server.zone.aaaa.has(name) || server.zone.srv.has(name);
  // RCODE 2 SERVFAIL, 3 NXDOMAIN, 0 with no answers (NODATA) for a known name of another type.
  const rcode = server.failing ? 2 : records === undefined && !known ? 3 : 0;
  const header = Buffer.alloc(12);
  header.writeUInt16BE(msg.readUInt16BE(0), 0);
  header.writeUInt16BE(0x8400 | (msg.readUInt16BE(2) & 0x0100) | rcode, 2); // QR, AA, echo RD
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(records?.length ?? 0, 6);
  return Buffer.concat([header, question, ...(records ?? [])]);
}

/** Starts the responder on an ephemeral loopback UDP port. */
export async function startTestDnsServer(): Promise<TestDnsServer> {
  const socket: Socket = createSocket('udp4');
  const server: TestDnsServer = {
    zone: { a: new Map(), aaaa: new Map(), srv: new Map() },
    address: '',
    queries: [],
    failing: false,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
  socket.on('message', (msg: Buffer, peer: RemoteInfo) => {
    let reply: Buffer | undefined;
    try {
      reply = respond(server, msg);
    } catch {
      reply = undefined; // a malformed query gets no answer, like a real server under garbage
    }
    if (reply !== undefined) socket.send(reply, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  (server as { address: string }).address = `127.0.0.1:${socket.address().port}`;
  return server;
}
