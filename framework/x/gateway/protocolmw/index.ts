export { protocolMiddleware } from './protocol-middleware.ts';
