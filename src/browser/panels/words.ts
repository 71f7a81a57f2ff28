// Errors in the page's words: the field's label on the page, what the user typed there (not the
// value the library received: an unreadable "64,x" reached it as NaN), and what the field accepts
// as the page asks for it (no CLI syntax).
import type { FromWorker } from '../worker';
import type { Typed } from './dom';

type WorkerError = Extract<FromWorker, { type: 'error' }>;

/** What the page's fields accept where the page asks differently from the CLI and the API. */
const PAGE_ALLOWED: Record<string, string> = {
  hidden: 'whole numbers from 1 to 4096 separated by commas, like 64,64 (up to 16 layers; empty for a linear policy)',
  innerLr: "a number >= 0, or empty for the policy's own rate",
};

/** "Label: you typed "text"; allowed: …" (or "you chose"), or "Label is empty; allowed: …". */
export function fieldError(typed: Typed, allowed: string): string {
  const what = typed.text.trim() === '' ? `${typed.label} is empty` : `${typed.label}: you ${typed.verb ?? 'typed'} ${JSON.stringify(typed.text)}`;
  return `${what}; allowed: ${allowed}.`;
}

/**
 * The page's sentence for an error of the worker: when it names a field of `fields` (by the
 * library's field name), that field's label and text; otherwise the worker's own sentence.
 */
export function inPageWords(error: WorkerError, fields: Record<string, Typed>): string {
  const typed = error.field !== undefined ? fields[error.field] : undefined;
  if (!typed || error.allowed === undefined) return `Error: ${error.message}`;
  const allowed = PAGE_ALLOWED[error.field!] ?? error.allowed.replace(/\s*\(CLI:[^)]*\)|;\s*CLI:[^)]*/g, '');
  return fieldError(typed, allowed);
}
