/**
 * The shape phase: what each key of the inventory YAML may hold, as zod 4 schemas. Objects are
 * strict, so a misspelt key is an error that names the allowed keys rather than a silently
 * ignored setting. Every error message says what was expected and what was found.
 * Cross-field rules (unique names, one auth method, an mps host…) live in `inventory-rules.ts`.
 */
import { z } from 'zod';
import { describeValue, expected } from './inventory-problem.js';
import {
  ADDRESS_TEXT,
  addressProblem,
  ENV_NAME,
  ENV_NAME_TEXT,
  HOST_KEY,
  HOST_KEY_TEXT,
  USER_NAME,
  USER_NAME_TEXT,
  VERSION,
  VERSION_TEXT,
} from './field-formats.js';

/** Marks an unknown-key issue so the loader can report each key at its own position. */
export const ALLOWED_KEYS_PREFIX = 'allowed keys: ';

/** A strict object whose unknown-key issue lists the allowed keys (runbook profiles use it too). */
export function strict<Shape extends z.ZodRawShape>(shape: Shape, what: string) {
  const allowed = `${ALLOWED_KEYS_PREFIX}${Object.keys(shape).join(', ')}`;
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? allowed : expected(what)(issue)),
  });
}

function integer(min: number, max: number | undefined, what: string) {
  const error = expected(what);
  const base = z.number({ error }).int({ error }).min(min, { error });
  return max === undefined ? base : base.max(max, { error });
}

function matching(pattern: RegExp, what: string) {
  const error = expected(what);
  return z.string({ error }).regex(pattern, { error });
}

export const bool = z.boolean({ error: expected('true or false') });
const port = integer(1, 65535, 'an integer 1-65535');
const user = matching(USER_NAME, USER_NAME_TEXT);
const transport = z.enum(['ssh', 'local'], { error: expected('"ssh" or "local"') });
const powershell = z.enum(['per-step', 'persistent'], { error: expected('"per-step" or "persistent"') });
const path = z.string({ error: expected('a path') }).min(1, { error: expected('a non-empty path') });

const address = z.string({ error: expected(ADDRESS_TEXT) }).superRefine((value, ctx) => {
  const problem = addressProblem(value);
  if (problem) {
    ctx.addIssue({
      code: 'custom',
      message: `expected ${ADDRESS_TEXT}, got ${describeValue(value)} (${problem})`,
    });
  }
});

/** Which roles exist is the runbook's: `runbook-rules.ts` checks each against its profile. */
const role = matching(/^[A-Za-z][A-Za-z0-9]*$/, 'a role name such as mps (letters and digits)');

/**
 * Exactly one method is a rule (checked in `inventory-rules.ts`), so that a file with two gets
 * one clear message instead of a shape error per key.
 */
const auth = strict(
  {
    agent: z.literal(true, { error: expected('true (use the running ssh-agent)') }).optional(),
    keyFile: path.optional(),
    passwordEnv: matching(ENV_NAME, ENV_NAME_TEXT).optional(),
  },
  'a map with one of { agent: true }, { keyFile: PATH } or { passwordEnv: VAR_NAME }',
);

const host = strict(
  {
    address,
    port: port.optional(),
    user: user.optional(),
    auth: auth.optional(),
    hostKey: matching(HOST_KEY, HOST_KEY_TEXT).optional(),
    transport: transport.optional(),
    powershell: powershell.optional(),
    roles: z
      .array(role, { error: expected('a list of roles such as [mps]') })
      .min(1, { error: expected('at least one role') }),
  },
  'a map of host settings such as { address: 10.1.0.11, roles: [mps] }',
);

/** A list of host names (a runbook's lab settings name hosts; the profile's `labHostLists` checks them). */
export const hostList = z
  .array(z.string({ error: expected('a host name') }), { error: expected('a list of host names') })
  .optional();

const versionMarker = z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, {
  error: (issue) => `version marker name ${describeValue(issue.input)} must be letters, digits or "_"`,
});

/** The whole file. Optional sections may be left empty (`facts:` with every pin commented out). */
export const inventorySchema = strict(
  {
    runbook: z.string({ error: expected('a runbook id such as kb979704') }).optional(),
    package: path.optional(),
    defaults: strict(
      {
        user: user.optional(),
        port: port.optional(),
        auth: auth.optional(),
        transport: transport.optional(),
        powershell: powershell.optional(),
      },
      'a map of default host settings (user, port, auth, transport, powershell)',
    ).optional(),
    // Which facts and lab settings exist is the runbook's (checked in `runbook-rules.ts`).
    facts: z
      .record(z.string(), bool, {
        error: expected('a map of fact → true or false, such as { ur5Installed: false }'),
      })
      .optional(),
    hosts: z.record(z.string(), host, { error: expected('a map of host name → host settings') }),
    versions: z
      .record(versionMarker, matching(VERSION, VERSION_TEXT), {
        error: expected('a map of version marker → version, such as { ur6: "4.5.1600.6" }'),
      })
      .optional(),
    rollout: strict(
      {
        window: integer(
          1,
          undefined,
          'an integer of at least 1 (hosts worked on at once per role)',
        ).optional(),
        hubWindow: integer(
          1,
          undefined,
          'an integer of at least 1 (hub transport servers restarted at once)',
        ).optional(),
        errorBudget: integer(
          0,
          undefined,
          'an integer of at least 0 (failed hosts tolerated before stopping)',
        ).optional(),
        pauseAfterFirstHub: bool.optional(),
      },
      'a map of rollout settings (window, hubWindow, errorBudget, pauseAfterFirstHub)',
    ).optional(),
    lab: z.record(z.string(), z.unknown(), { error: expected('a map of lab settings') }).optional(),
    inputs: z
      .record(z.string(), z.unknown(), { error: expected("a map of the runbook's inputs") })
      .optional(),
  },
  'a map with at least `hosts:`',
);

export type InventoryYaml = z.output<typeof inventorySchema>;
export type AuthYaml = z.output<typeof auth>;

/** Sections that may be written as an empty key; YAML reads those as null, which means "absent". */
export const OPTIONAL_SECTIONS = ['defaults', 'facts', 'versions', 'rollout', 'lab', 'inputs'] as const;
