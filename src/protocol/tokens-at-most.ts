/**
 * An upper bound on the tokens of `value` as text: its UTF-8 bytes as JSON. A token covers at
 * least one byte of text, so this never counts fewer tokens than the model's tokenizer (for prose,
 * several times more). Deterministic: workflow code may use it.
 */
export function tokensAtMost(value: unknown): number {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  let bytes = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    // Each half of a surrogate pair counts 3: 6 for a 4-byte character.
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : 3;
  }
  return bytes;
}
