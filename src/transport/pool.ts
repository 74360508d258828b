/**
 * One transport per host for the whole run, so every step on a host reuses its one connection.
 */

import type { HostSpec } from '../inventory/types.js';
import type { Transport } from './types.js';

export interface TransportPool {
  /** The host's transport, created by the factory on first request (by host name). */
  get(host: HostSpec): Transport;
  /** Closes every transport (failures to close are ignored: the run is ending) and forgets them. */
  closeAll(): Promise<void>;
  readonly size: number;
}

export function createTransportPool(factory: (host: HostSpec) => Transport): TransportPool {
  const transports = new Map<string, Transport>();
  return {
    get(host) {
      let transport = transports.get(host.name);
      if (!transport) {
        transport = factory(host);
        transports.set(host.name, transport);
      }
      return transport;
    },
    async closeAll() {
      const all = [...transports.values()];
      transports.clear();
      await Promise.allSettled(all.map((transport) => transport.close()));
    },
    get size() {
      return transports.size;
    },
  };
}
