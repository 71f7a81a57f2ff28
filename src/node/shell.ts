// Text a user can paste back into a shell.

/** A path quoted for a POSIX shell when it needs it (so a printed command can be pasted back). */
export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_\/.,:=+@%^-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
