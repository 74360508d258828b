/**
 * KB979704's `inputs:`: what the operator must say because neither the KB, the package nor the
 * hosts can. Nothing here has a default: where the KB defers to a document we do not have (the
 * RTM HMC 4.5 Deployment guide) or to the operator's own estate (where the databases are, what
 * was customised), the tool asks instead of guessing, and preflight names what is missing.
 */
import { z } from 'zod';
import { hostList, strict } from '../../src/inventory/inventory-schema.js';
import type { Inventory } from '../../src/inventory/types.js';
import { readSection } from '../../src/inventory/profile.js';

// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const NO_CONTROL = /^[^\u0000-\u001f\u007f]*$/;

const msiFile = z
  .string()
  .regex(/^[A-Za-z0-9._-]+\.msi$/i, { error: 'expected a package file name ending in .msi' });

/** `server[\instance][,port]`, as sqlcmd -S and a config file take it. */
const sqlInstance = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}(\\[A-Za-z_][A-Za-z0-9_$]{0,15})?(,\d{1,5})?$/, {
    error: 'expected a SQL Server name such as MPSSQL01 or MPSSQL01\\HMC (server[\\instance][,port])',
  });

const databaseName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_ .-]{0,127}$/, {
  error: 'expected a database name (letters, digits, space, "_", "." or "-"; no quotes or brackets)',
});

const folder = z
  .string()
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  .regex(/^[A-Za-z]:\\[^\u0000-\u001f"*?<>|]*$/, {
    error: 'expected a Windows folder with a drive, such as D:\\Backups',
  })
  .transform((value) => value.replace(/\\+$/, ''));

/** A Windows Installer public property: upper case, as msiexec only passes those on. */
const property = z.string().regex(/^[A-Z_][A-Z0-9_.]{0,71}$/, {
  error: 'expected a public Windows Installer property name (upper case, such as INSTALLDIR)',
});
const propertyValue = z
  .string({ error: 'expected a property value (quote it)' })
  .regex(NO_CONTROL, { error: 'expected a value without control characters' })
  .refine((value) => !value.includes('"'), { error: 'expected a value without double quotes' });

/** A file under the RPCHTTPConfig folder, relative to it. */
const relativeFile = z
  .string()
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  .regex(/^[^\u0000-\u001f"*?<>|:\\/][^\u0000-\u001f"*?<>|:]*$/, {
    error:
      'expected a file name relative to the RPCHTTPConfig folder, such as web.config or images\\logo.gif',
  })
  .refine((value) => !value.split(/[\\/]/).includes('..'), {
    error: 'expected a path inside the folder (no "..")',
  });

const appSettingKey = z.string().regex(/^[A-Za-z0-9_.:-]{1,128}$/, { error: 'expected an appSettings key' });

/** A transport agent's name, as Install-TransportAgent -Name takes it (at most 64 characters). */
const agentName = z.string().regex(/^[^"\p{Cc}]{1,64}$/u, {
  error: 'expected a transport agent name (1 to 64 characters, no double quotes)',
});

const dotNetClass = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$/, {
  error: 'expected a .NET class name with its namespace, such as Vendor.Product.AgentFactory',
});

const minutes = z
  .string()
  .regex(/^[1-9][0-9]{0,5}$/, { error: 'expected a whole number of minutes, quoted' });

/** The `inputs:` map, with `backupFolder` in the form given: checked as written, or as stored. */
function inputsWith(backupFolder: z.ZodType<string>) {
  return strict(
    {
      productsAbsent: z.record(msiFile, hostList).optional(),
      mpsSql: strict(
        {
          instance: sqlInstance,
          resourceManagerDb: databaseName,
          planManagerDb: databaseName,
          backupFolder,
        },
        'a map (instance, resourceManagerDb, planManagerDb, backupFolder)',
      ).optional(),
      msiProperties: z.record(msiFile, z.record(property, propertyValue)).optional(),
      rpcHttpCustomized: z.array(relativeFile, { error: 'expected a list of file names' }).optional(),
      checkFolderGroupsKeys: z
        .array(appSettingKey, { error: 'expected a list of appSettings keys' })
        .optional(),
      oofAgent: strict(
        {
          identity: agentName.optional(),
          factory: dotNetClass.optional(),
          cacheRefresh: minutes.optional(),
        },
        'a map of OOF agent settings (identity, factory, cacheRefresh)',
      ).optional(),
    },
    'a map of inputs (productsAbsent, mpsSql, msiProperties, rpcHttpCustomized, checkFolderGroupsKeys, oofAgent)',
  );
}

export const inputs = inputsWith(folder).superRefine((value, ctx) => {
  // File names compare as Windows compares them: two spellings of one file would be ambiguous.
  for (const section of ['productsAbsent', 'msiProperties'] as const) {
    const seen = new Set<string>();
    for (const file of Object.keys(value[section] ?? {})) {
      if (seen.has(file.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: [section, file],
          message: `${file} is listed twice (names ignore case)`,
        });
      seen.add(file.toLowerCase());
    }
  }
});

export type Ur6Inputs = z.output<typeof inputs>;

/** How the loader's output reads back: a trimmed `X:\\` folder is `X:`, which `folder` refuses as given. */
const storedInputs = inputsWith(z.string());

export function ur6Inputs(inventory: Pick<Inventory, 'inputs'>): Ur6Inputs {
  return readSection(storedInputs, inventory.inputs ?? {}, 'inputs');
}

/** The hosts `inputs.productsAbsent` lists for the package file `msi` (any spelling). */
export function productsAbsentOn(inventory: Pick<Inventory, 'inputs'>, msi: string): string[] {
  return Object.entries(ur6Inputs(inventory).productsAbsent ?? {})
    .filter(([file]) => file.toLowerCase() === msi.toLowerCase())
    .flatMap(([, hosts]) => hosts ?? []);
}

/** The properties `inputs.msiProperties` gives the package file `msi` (any spelling); undefined: not given. */
export function msiPropertiesOf(
  inventory: Pick<Inventory, 'inputs'>,
  msi: string,
): Record<string, string> | undefined {
  const found = Object.entries(ur6Inputs(inventory).msiProperties ?? {}).find(
    ([file]) => file.toLowerCase() === msi.toLowerCase(),
  );
  return found?.[1];
}

/**
 * `inputs.oofAgent`: what a hub cannot tell. `identity` and `factory` are used where discovery
 * finds no single registration of the agent's DLL (a hub that never had it, or several);
 * `cacheRefresh` where no old CategorizerOverrideAgent.dll.config holds a CacheRefresh. Nothing
 * has a default: discovery decides, and where it cannot, preflight or the discovery step says so.
 */
export function oofAgentInputs(inventory: Pick<Inventory, 'inputs'>): NonNullable<Ur6Inputs['oofAgent']> {
  return ur6Inputs(inventory).oofAgent ?? {};
}
