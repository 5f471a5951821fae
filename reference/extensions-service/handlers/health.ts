import { writeResponse, type Handler } from 'plumego/contract';

export function createLiveHandler(serviceName: string, version: string): Handler {
  return (w, r) => writeResponse(w, r, 200, { status: 'ok', service: serviceName, version });
}
