// The one check of a ConfigError for the tests: thrown by `fn`, naming `field` first, saying what
// is allowed, and (when given) that the allowed text contains `allowed` or matches it.
import assert from 'node:assert/strict';
import * as dm from 'directed-maml';

export function assertConfigError(fn: () => unknown, field: string, allowed?: string | RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof dm.ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.field, field);
    assert.ok(err.message.startsWith(`${field}: got `), `message names the field: ${err.message}`);
    assert.ok(err.message.includes('allowed: '), `message says what is allowed: ${err.message}`);
    if (typeof allowed === 'string') assert.ok(err.message.includes(allowed), `message gives the range ${allowed}: ${err.message}`);
    else if (allowed) assert.match(err.message, allowed);
    return true;
  });
}
