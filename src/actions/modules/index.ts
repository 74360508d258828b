/**
 * The registered actions: one line a family. Every list of action names (the catalog, gates, own-process
 * actions, durations, end states) is derived from this one.
 */
import { inspectModules } from './inspect.js';
import { complusModules } from './complus.js';
import { gatesModules } from './gates.js';
import { packageModules } from './package.js';
import { filesModules } from './files.js';
import { msiModules } from './msi.js';
import { serviceModules } from './service.js';
import { transportAgentModules } from './transport-agent.js';
import { installutilModules } from './installutil.js';
import { registryModules } from './registry.js';
import { configModules } from './config.js';
import { systemModules } from './system.js';
import { sharesModules } from './shares.js';
import { mailConnectorModules } from './mail-connector.js';
import { serviceSetModules } from './service-set.js';
import { hotfixModules } from './hotfix.js';
import { msmailModules } from './msmail.js';
import { eventlogModules } from './eventlog.js';
import { hubHealthModules } from './hub-health.js';

export const ACTION_MODULES = [
  ...inspectModules,
  ...complusModules,
  ...gatesModules,
  ...packageModules,
  ...filesModules,
  ...msiModules,
  ...serviceModules,
  ...transportAgentModules,
  ...installutilModules,
  ...registryModules,
  ...configModules,
  ...systemModules,
  ...sharesModules,
  ...mailConnectorModules,
  ...serviceSetModules,
  ...hotfixModules,
  ...msmailModules,
  ...eventlogModules,
  ...hubHealthModules,
] as const;
