/**
 * The formats of single inventory values. Values from the inventory end up in SSH connections
 * and (as literals) in PowerShell, so the formats are deliberately narrow: anything that could
 * smuggle a command (spaces, quotes, `;`, `$`, backticks) is refused at the door.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** Windows host names compare case-insensitively; this is the shape, uniqueness is a rule. */
export const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const HOST_NAME_TEXT =
  'a host name of 1-63 characters (letters, digits, ".", "_" or "-", starting with a letter or digit)';

/** An OpenSSH SHA256 fingerprint as `ssh-keygen -lf` prints it: 32 bytes, base64 without padding. */
export const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}$/;
export const HOST_KEY_TEXT =
  'an OpenSSH fingerprint: "SHA256:" followed by 43 base64 characters without "=" padding (as `ssh-keygen -lf KEY.pub` prints it)';

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const ENV_NAME_TEXT =
  'the NAME of an environment variable holding the password (letters, digits and "_", not starting with a digit)';

export const VERSION = /^\d+(\.\d+){1,3}$/;
export const VERSION_TEXT =
  'a dotted version string such as "4.5.1600.6" (2 to 4 numbers; quote it so YAML keeps it a string)';

/** SSH user names, including the Windows `DOMAIN\user` and `user@domain` forms. */
export const USER_NAME = /^[A-Za-z0-9._\\@-]{1,104}$/;
export const USER_NAME_TEXT =
  'a user name such as administrator, CORP\\svc-deploy or svc-deploy@corp.example';

export const ADDRESS_TEXT = 'an IPv4 address, an IPv6 address or a DNS name (RFC 1123)';

const DNS_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const DANGEROUS = /[\s"'`;$|&<>(){}\\*?!,]/;

/**
 * Why an address is not acceptable, or undefined when it is. The reason names the offending
 * character, because "not a valid address" alone does not tell the operator what to change.
 */
export function addressProblem(address: string): string | undefined {
  if (isIPv4(address) || isIPv6(address)) return undefined;
  const bad = DANGEROUS.exec(address);
  if (bad) {
    const shown = /\s/.test(bad[0]) ? 'whitespace' : `"${bad[0]}"`;
    return `${shown} is not allowed in an address`;
  }
  // All digits and dots reads as an IPv4 address, and RFC 1123 would otherwise let 10.1.0.300 pass.
  if (/^[\d.]+$/.test(address)) return 'not a valid IPv4 address (four numbers 0-255)';
  if (address.includes(':')) return 'not a valid IPv6 address (write it without brackets or a port)';
  const name = address.endsWith('.') ? address.slice(0, -1) : address;
  if (name.length === 0 || name.length > 253) return 'a DNS name is 1-253 characters';
  const badLabel = name.split('.').find((label) => !DNS_LABEL.test(label));
  if (badLabel !== undefined) {
    return `DNS label "${badLabel}" must be 1-63 letters, digits or "-", not starting or ending with "-"`;
  }
  return undefined;
}
