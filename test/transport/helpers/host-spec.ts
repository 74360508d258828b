/** A hub host as an inventory gives it, for the SSH layer's tests; `overrides` change any field. */
import type { HostSpec } from '../../../src/inventory/types.js';

export function hubHost(overrides: Partial<HostSpec> = {}): HostSpec {
  return {
    name: 'EXHUB01',
    address: '10.1.0.41',
    port: 2222,
    user: 'administrator',
    auth: { agent: true },
    transport: 'ssh',
    roles: ['exhub'],
    ...overrides,
  };
}
