export { FakePypi, type FakePypiOptions } from './server.js';
export type { HostileHooks, RequestCounts } from './routes.js';
export type { FakeFileSpec, FakeReleaseSpec, ChangelogRow } from './catalog.js';
export { normalize } from './names.js';
export { seedDemo } from './demo.js';
export type { FaultConfig, FaultCounts, FaultEvent, FaultKind, RequestClass } from './faults.js';
export { FAULT_KINDS, REQUEST_CLASSES } from './faults.js';
