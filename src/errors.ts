/**
 * A bad value given by the user: names the field, the value (cut to a readable length) and what is
 * allowed, on one line: control characters from files or flags (newlines, ANSI escapes) are
 * escaped in every part, so nothing the user gave reaches the terminal raw.
 */
export class ConfigError extends Error {
  constructor(readonly field: string, readonly value: unknown, readonly allowed: string) {
    super(`${escapeControl(cutText(String(field), MAX_SHOWN))}: got ${escapeControl(formatValue(value))}; allowed: ${escapeControl(cutText(String(allowed), MAX_ALLOWED))}`);
    this.name = 'ConfigError';
  }
}

/** C0 and C1 control characters, DEL and the Unicode line/paragraph separators. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character written as an escape (\n, \u001b): one printable line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/** Characters of a value echoed in an error before it is cut (a 50 MB flag must not become a 50 MB line). */
const MAX_SHOWN = 80;

/** `allowed` may quote a path or a value the user gave: it is cut too, but later. */
const MAX_ALLOWED = 2000;

/** text, or its first `max` characters and an ellipsis. */
export function cutText(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

function cut(text: string, total: number, unit: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN)}… (${total} ${unit})`;
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= MAX_SHOWN) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, MAX_SHOWN)).slice(0, -1)}…" (${value.length} characters)`;
  }
  if (Array.isArray(value)) {
    const shown = value.slice(0, 16).map(formatValue).join(', ');
    return cut(`[${shown}${value.length > 16 ? ', …' : ''}]`, value.length, 'items');
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<unknown>).length})`;
  if (value !== null && typeof value === 'object') {
    let text: string;
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
    return cut(text, text.length, 'characters');
  }
  return String(value);
}
