/** Every simulated action, by name. */
import type { ActionSpec } from './context.js';
import { complusActions } from './complus.js';
import { configActions } from './config.js';
import { fileActions } from './files.js';
import { gateActions } from './gates.js';
import { inspectActions } from './inspect.js';
import { msiActions } from './msi.js';
import { registryValueActions } from './registry-values.js';
import { serviceActions } from './services.js';
import { systemActions } from './system.js';
import { transportActions } from './transport.js';
import { oofAgentActions } from './oof-agent.js';
import { configMergeActions } from './config-merge.js';
import { shareActions } from './shares.js';
import { treeActions } from './trees.js';
import { mailConnectorActions } from './mail-connector.js';
import { serviceSetActions } from './service-set.js';
import { hotfixActions } from './hotfix.js';
import { eventLogActions } from './eventlog.js';
import { msmailActions } from './msmail.js';
import { sqlActions } from './sql.js';
import { hubHealthActions } from './hub-health.js';

export const ACTIONS: Readonly<Record<string, ActionSpec>> = {
  ...inspectActions,
  ...complusActions,
  ...gateActions,
  ...fileActions,
  ...msiActions,
  ...serviceActions,
  ...transportActions,
  ...oofAgentActions,
  ...configMergeActions,
  ...systemActions,
  ...configActions,
  ...registryValueActions,
  ...shareActions,
  ...treeActions,
  ...mailConnectorActions,
  ...serviceSetActions,
  ...hotfixActions,
  ...eventLogActions,
  ...msmailActions,
  ...sqlActions,
  ...hubHealthActions,
};
