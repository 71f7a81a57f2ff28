// Where files come from. The core reads and writes no files (it is isomorphic): 'directed-maml/node'
// (and the CLI) set Node's file handlers here on import, so dm.loadPolicy and dm.exportPolicy take a
// path or a file:// URL; Deno or Bun programs may set their own. Unset, strings go to tfjs's IO
// registry (indexeddb://, downloads://, …) and HTTP, as in a page.
import type { tf } from '../core/backend';

export interface FileHandlers {
  /** A load handler for a policy directory, its model.json, or a file:// URL of either. */
  load(pathOrFileUrl: string): tf.io.IOHandler;
  /** A save handler writing model.json + weights into a directory (a path or a file:// URL). */
  save(pathOrFileUrl: string): tf.io.IOHandler;
}

let handlers: FileHandlers | null = null;

/** Sets (or with null clears) the file handlers dm.loadPolicy and dm.exportPolicy use for paths and file:// URLs. */
export function setFileHandlers(h: FileHandlers | null): void {
  handlers = h;
}

/** The handlers set, or null. */
export function fileHandlers(): FileHandlers | null {
  return handlers;
}

/** Whether a string names a file: a file:// URL, or no URL scheme at all (a scheme has two letters or more: 'C:' is a drive). */
export function namesFile(source: string): boolean {
  return /^file:\/\//i.test(source) || !/^[a-z][a-z0-9+.-]+:/i.test(source);
}
