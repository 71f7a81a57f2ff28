// A run directory, as one import: its files (run-files.ts), its lock (run-lock.ts), its identity
// (run-identity.ts) and its survey (run-survey.ts). Kept for the experiment modules that import it
// by this name; new code imports the module it needs.
export { RUN_FILE, LOCK_FILE, STATE_FILE, POLICY_DIR, CURVE_FILE, METRICS_FILE } from './run-files';
export { shellQuote } from './shell';
export { acquireRunLock, isOurLitter, type LockInfo, type RunLock } from './run-lock';
export { RUN_FORMAT, RUN_FORMAT_VERSION, describeIdentity, identityOf, readRunFile, runFileText, type RunIdentity } from './run-identity';
export { createRunDir, holdsRunError, inspectRunDir, readRun, readStateFile, type RunContents } from './run-survey';
