import type { Client } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
// @temporalio/proto is CommonJS: under Node's ESM loader only its default export is visible.
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../protocol/messages.js';

const { IndexedValueType } = proto.temporal.api.enums.v1;

const INDEXED_TYPES: Partial<Record<SearchAttributeType, proto.temporal.api.enums.v1.IndexedValueType>> = {
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
};

function indexedType(type: SearchAttributeType): proto.temporal.api.enums.v1.IndexedValueType {
  const indexed = INDEXED_TYPES[type];
  if (indexed === undefined) throw new Error(`no indexed type for search attribute type ${type}`);
  return indexed;
}

/** Troupe's search attributes, for servers that register them at start (the embedded dev server). */
export const TROUPE_SEARCH_ATTRIBUTES = Object.values(SEARCH_ATTRIBUTES);

/**
 * Makes sure the namespace has Troupe's search attributes, registering the missing ones. Returns
 * false when that is not possible (e.g. no operator permission): runs then still work, but cannot
 * be listed by `troupe pending` or filtered in the UI.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<boolean> {
  try {
    const { customAttributes } = await client.connection.operatorService.listSearchAttributes({ namespace });
    const missing = TROUPE_SEARCH_ATTRIBUTES.filter((key) => !(key.name in (customAttributes ?? {})));
    if (missing.length === 0) return true;
    await client.connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((key) => [key.name, indexedType(key.type)])),
    });
    return true;
  } catch {
    return false;
  }
}
