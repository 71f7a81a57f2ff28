// What the panels share: finding their elements, reading fields as the user typed them, formatting.

/** A field of a form: its label on the page and the text in it now (errors echo it); 'chose' for a picker. */
export interface Typed { label: string; text: string; verb?: 'typed' | 'chose' }

export const byId = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`demo.html has no element #${id}`);
  return el as T;
};

/** An empty field is NaN (the checks then name the field and echo what was typed), not 0. */
export const numberOf = (input: HTMLInputElement): number => (input.value.trim() === '' ? NaN : Number(input.value));

export const formatReturn = (v: number): string => v.toFixed(2);

/** Task values are float32 in the library: show them at a readable precision. */
export const formatParam = (v: number): string => String(Number(v.toPrecision(4)));

export function showValue(el: HTMLElement, value: number, text: string): void {
  el.textContent = text;
  el.dataset.value = String(value); // full precision, as posted
}

export function fillSelect(select: HTMLSelectElement, values: readonly string[], keep = select.value): void {
  select.replaceChildren(...values.map((v) => new Option(v, v, false, v === keep)));
}

/** A status line: its state (the CSS colours it) and its text. */
export function setStatus(el: HTMLElement, state: string, text: string): void {
  el.dataset.state = state;
  el.textContent = text;
}
