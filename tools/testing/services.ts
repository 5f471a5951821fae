/** The real services tests may use, where they listen by default and how to start each one. */
import { connect } from 'node:net';

export interface PlumegoServices {
  readonly postgres: string | null;
  readonly redis: string | null;
  readonly nats: string | null;
  readonly amqp: string | null;
  readonly mqtt: string | null;
  readonly mariadb: string | null;
}

export type ServiceName = keyof PlumegoServices;

export interface ServiceSpec {
  readonly name: ServiceName;
  readonly label: string;
  /** Environment variable that overrides the default URL. */
  readonly env: string;
  readonly defaultUrl: string;
  readonly start: string;
}

export const SERVICE_SPECS: readonly ServiceSpec[] = [
  {
    name: 'postgres',
    label: 'PostgreSQL',
    env: 'PLUMEGO_TEST_POSTGRES_URL',
    defaultUrl: 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
  },
  {
    name: 'redis',
    label: 'Redis',
    env: 'PLUMEGO_TEST_REDIS_URL',
    defaultUrl: 'redis://127.0.0.1:6379',
    start:
      'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
  },
  {
    name: 'nats',
    label: 'NATS',
    env: 'PLUMEGO_TEST_NATS_URL',
    defaultUrl: 'nats://127.0.0.1:4222',
    start:
      'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log',
  },
  {
    name: 'amqp',
    label: 'RabbitMQ',
    env: 'PLUMEGO_TEST_AMQP_URL',
    defaultUrl: 'amqp://guest:guest@127.0.0.1:5672',
    start: 'rabbitmq-server -detached',
  },
  {
    name: 'mqtt',
    label: 'Mosquitto',
    env: 'PLUMEGO_TEST_MQTT_URL',
    defaultUrl: 'mqtt://127.0.0.1:1883',
    start: 'mosquitto -d -c /etc/mosquitto/mosquitto.conf',
  },
  {
    name: 'mariadb',
    label: 'MariaDB',
    env: 'PLUMEGO_TEST_MARIADB_URL',
    defaultUrl: 'mysql://root@127.0.0.1:3306/test',
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
  },
];

/** host:port of a service URL, with the scheme's default port when the URL has none. */
export function addressOf(url: string): { host: string; port: number } {
  const u = new URL(url);
  const defaults: Record<string, number> = {
    'postgres:': 5432,
    'postgresql:': 5432,
    'redis:': 6379,
    'nats:': 4222,
    'amqp:': 5672,
    'mqtt:': 1883,
    'mysql:': 3306,
  };
  const port = u.port ? Number(u.port) : defaults[u.protocol];
  if (!port) throw new Error(`no port in service URL ${u.protocol}//${u.host}`);
  return { host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port };
}

/** Whether something accepts a TCP connection at the address within `timeoutMs`. */
export function canConnect(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export interface ProbeResult {
  readonly services: PlumegoServices;
  readonly missing: readonly { spec: ServiceSpec; address: string }[];
}

export async function probeAll(env: NodeJS.ProcessEnv, probe = canConnect): Promise<ProbeResult> {
  const entries = await Promise.all(
    SERVICE_SPECS.map(async (spec) => {
      const url = env[spec.env] || spec.defaultUrl;
      const { host, port } = addressOf(url);
      return { spec, url, address: `${host}:${port}`, up: await probe(host, port) };
    }),
  );
  const services = Object.fromEntries(
    entries.map((e) => [e.spec.name, e.up ? e.url : null]),
  ) as unknown as PlumegoServices;
  return { services, missing: entries.filter((e) => !e.up).map(({ spec, address }) => ({ spec, address })) };
}
