/** A bad value given by the user: names the field, the value (cut to a readable length) and what is allowed. */
export class ConfigError extends Error {
  constructor(readonly field: string, readonly value: unknown, readonly allowed: string) {
    super(`${cutText(field, MAX_SHOWN)}: got ${formatValue(value)}; allowed: ${cutText(allowed, MAX_ALLOWED)}`);
    this.name = 'ConfigError';
  }
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
