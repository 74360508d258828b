/**
 * Typed events a transport emits for the logger. Rendering is someone else's job; what matters
 * here is what is NOT in them: no password, no key material, no script text (a script can be
 * long; its header line is the audit trail on the host).
 */

export type TransportEvent =
  | { type: 'connect'; host: string; address: string; port: number }
  | { type: 'connected'; host: string; address: string; port: number; durationMs: number }
  | { type: 'connectFailed'; host: string; address: string; port: number; code: string; message: string }
  | { type: 'disconnected'; host: string; reason: 'closed' | 'dropped' }
  | {
      type: 'exec';
      host: string;
      scriptName: string;
      delivery: 'encoded' | 'stdin' | 'persistent';
      /** The command line's length, or for `persistent` the length of the line sent to the shell. */
      commandLength: number;
    }
  | {
      type: 'execEnd';
      host: string;
      scriptName: string;
      exitCode: number | undefined;
      durationMs: number;
      timedOut: boolean;
      cancelled: boolean;
      dropped: boolean;
      truncatedBytes: number;
    }
  | { type: 'upload'; host: string; path: string; bytes: number; durationMs: number };

/** Where a transport sends its events; the default drops them. */
export type TransportLog = (event: TransportEvent) => void;
