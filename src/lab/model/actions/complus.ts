/** COM+ applications (the Provisioning Engine): disable, shutdown, enable, start. */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { fail, ok, report, target } from './context.js';
import { getCI } from '../names.js';

type App = { enabled: boolean; running: boolean };

function withApp(ctx: ActionContext, body: (app: App) => Outcome): Outcome {
  const name = target(ctx);
  const app = getCI(ctx.host.comPlus, name);
  if (!app) {
    return fail(
      1,
      `Exception calling "GetCollection" with "2" argument(s): "The object you have added to the catalog could not be found. (Exception from HRESULT: 0x80110809)"\nCOM+ application '${name}' does not exist on this server.`,
    );
  }
  return body(app);
}

const evidence = (app: App) => ({ enabled: app.enabled, running: app.running });

export const complusDisableLab: ActionSpec = {
  probe: (ctx) => withApp(ctx, (app) => report(!app.enabled, evidence(app))),
  apply: (ctx) =>
    withApp(ctx, (app) => {
      app.enabled = false;
      return ok();
    }),
};

export const complusShutdownLab: ActionSpec = {
  probe: (ctx) => withApp(ctx, (app) => report(!app.running, evidence(app))),
  // Shutting down works whether or not the app is enabled; the KB disables first so nothing relaunches it.
  apply: (ctx) =>
    withApp(ctx, (app) => {
      app.running = false;
      return ok();
    }),
};

export const complusEnableLab: ActionSpec = {
  probe: (ctx) => withApp(ctx, (app) => report(app.enabled, evidence(app))),
  apply: (ctx) =>
    withApp(ctx, (app) => {
      app.enabled = true;
      return ok();
    }),
};

export const complusStartLab: ActionSpec = {
  probe: (ctx) => withApp(ctx, (app) => report(app.running, evidence(app))),
  apply: (ctx) =>
    withApp(ctx, (app) => {
      if (!app.enabled) {
        return fail(
          1,
          `Exception calling "StartApplication" with "1" argument(s): "The component has been disabled. (Exception from HRESULT: 0x80004005 (E_FAIL))"\n    + CategoryInfo          : NotSpecified: (:) [], MethodInvocationException\n    + FullyQualifiedErrorId : ComMethodTargetInvocation`,
        );
      }
      app.running = true;
      return ok();
    }),
};
