/** XML config appSettings: read (to note a value) and write (honouring the read-only flag). */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { bool, fail, notFound, ok, psError, report, str } from './context.js';
import { getFile, putFile, readAppSetting, textFile, writeAppSetting } from '../files.js';
import type { FileState } from '../state.js';

function xmlOf(ctx: ActionContext, path: string): { file: FileState; xml: string } | Outcome {
  const file = getFile(ctx.host, path);
  if (!file) return notFound(path);
  if (file.content === undefined) {
    return psError(
      `Cannot convert value "System.Object[]" to type "System.Xml.XmlDocument". Error: "'${path}' is not an XML document."`,
      'InvalidArgument: (:) [], RuntimeException',
    );
  }
  return { file, xml: file.content };
}

function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && 'exitCode' in value;
}

/** Reading is a note, never pending: the value (or its absence) is the evidence. */
function readProbe(ctx: ActionContext): Outcome {
  const path = str(ctx, 'path');
  if (!getFile(ctx.host, path)) return report(true, { exists: false });
  const loaded = xmlOf(ctx, path);
  if (isOutcome(loaded)) return loaded;
  const value = readAppSetting(loaded.xml, str(ctx, 'key'));
  if (value === undefined) return report(true, { exists: false });
  return report(true, { exists: true, value });
}

export const configActions: Record<string, ActionSpec> = {
  'config.read': {
    probe: readProbe,
    // The probe printed the value; apply changes nothing.
    apply: () => ok(),
  },
  'config.write': {
    probe: (ctx) => {
      const path = str(ctx, 'path');
      const file = getFile(ctx.host, path);
      if (!file) return report(false, { exists: false });
      const current = file.content === undefined ? undefined : readAppSetting(file.content, str(ctx, 'key'));
      const evidence: Record<string, string | boolean> = { exists: true, readOnly: file.readOnly ?? false };
      if (current !== undefined) evidence.value = current;
      return report(current === str(ctx, 'value'), evidence);
    },
    apply: (ctx) => {
      const path = str(ctx, 'path');
      const loaded = xmlOf(ctx, path);
      if (isOutcome(loaded)) return loaded;
      if (loaded.file.readOnly) {
        if (!bool(ctx, 'clearReadOnly')) {
          return fail(
            1,
            `Exception calling "Save" with "1" argument(s): "Access to the path '${path}' is denied."\n    + CategoryInfo          : NotSpecified: (:) [], MethodInvocationException\n    + FullyQualifiedErrorId : DotNetMethodException`,
          );
        }
      }
      // Clearing the flag is what the KB asks; it stays cleared, as after the manual edit.
      putFile(ctx.host, path, textFile(writeAppSetting(loaded.xml, str(ctx, 'key'), str(ctx, 'value'))));
      return ok();
    },
  },
};
