/**
 * The object without its keys set to undefined: Temporal's options (and options built from them,
 * under exactOptionalPropertyTypes) treat an explicit undefined differently from a key left unset.
 */
export function withoutUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
