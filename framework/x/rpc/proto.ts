import { loadPackageDefinition, type GrpcObject, type MethodDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';
import { assertRpcOption } from './errors.ts';

/** Services and methods of loaded `.proto` files, by fully qualified name. */
export interface ProtoRegistry {
  /** `package.Service` → its definition (for `RpcServer.addService`). */
  readonly services: ReadonlyMap<string, ServiceDefinition>;
  /** The method `package.Service/Method` (or `/package.Service/Method`); throws when unknown. */
  getMethod(name: string): MethodDefinition<unknown, unknown>;
  /** The service `package.Service`; throws when unknown. */
  getService(name: string): ServiceDefinition;
  readonly grpcObject: GrpcObject;
}

/** proto-loader settings that round-trip JSON: field names as written, 64-bit ints and enums as strings. */
export const DEFAULT_PROTO_OPTIONS: Options = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

/** Loads `.proto` files once (at startup) into a registry of services and methods. */
export function loadProtos(files: string | string[], options: Options = DEFAULT_PROTO_OPTIONS): ProtoRegistry {
  const definition = loadSync(files, options);
  const services = new Map<string, ServiceDefinition>();
  for (const [name, value] of Object.entries(definition)) {
    // A service entry is a map of method definitions, each with a `path`; messages carry `format`.
    if (typeof value === 'object' && value !== null && !('format' in value))
      services.set(name, value as unknown as ServiceDefinition);
  }
  const getService = (name: string): ServiceDefinition => {
    const s = services.get(name);
    assertRpcOption(s !== undefined, 'service', `unknown service ${JSON.stringify(name)}`);
    return s!;
  };
  return {
    services,
    grpcObject: loadPackageDefinition(definition),
    getService,
    getMethod(name) {
      const trimmed = name.startsWith('/') ? name.slice(1) : name;
      const slash = trimmed.lastIndexOf('/');
      assertRpcOption(slash > 0, 'method', `${JSON.stringify(name)} is not "package.Service/Method"`);
      const service = getService(trimmed.slice(0, slash));
      const method = service[trimmed.slice(slash + 1)];
      assertRpcOption(method !== undefined, 'method', `unknown method ${JSON.stringify(name)}`);
      return method as MethodDefinition<unknown, unknown>;
    },
  };
}
