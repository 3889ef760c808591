import { describe, expect, it } from 'vitest';
import { compileTopicMapper } from './topic-mapper.js';

function mapper(namespaceMap: string, extra: Partial<{ prefix: string; suffix: string; separator: string }> = {}) {
  const errors: string[] = [];
  const map = compileTopicMapper({ prefix: '', suffix: '', separator: '.', namespaceMap, ...extra }, (m) => errors.push(m));
  return { map, errors };
}

describe('topic mapper', () => {
  it('names topics db.coll by default, decorated with prefix and suffix', () => {
    const { map } = mapper('', { prefix: 'cdc', suffix: 'v1', separator: '-' });
    expect(map('shop', 'orders')).toBe('cdc-shop-orders-v1');
    expect(map('shop', '')).toBe('cdc-shop-v1');
    expect(map('', '')).toBe('');
  });

  it('prefers exact namespaces, then databases, then regexes in order, then the wildcard', () => {
    const { map, errors } = mapper(
      JSON.stringify({ 'shop.orders': 'orders-topic', shop: 'shop-all', '/inv.*': 'inventory{sep_coll}', '/inventory\\..*': 'never', '*': 'everything-else' }),
    );
    expect(errors).toEqual([]);
    expect(map('shop', 'orders')).toBe('orders-topic');
    expect(map('shop', 'users')).toBe('shop-all.users');
    expect(map('inventory', 'items')).toBe('inventory.items');
    expect(map('other', 'x')).toBe('everything-else');
  });

  it('reports bad maps and keeps the default rules', () => {
    expect(mapper('[1]').errors).toEqual(['must be a JSON object of namespace patterns to topic names']);
    expect(mapper('{"a/b": "t"}').errors[0]).toMatch(/not allowed/);
    expect(mapper('{"/x": "{nope}"}').errors[0]).toMatch(/unknown variable \{nope\}/);
    expect(mapper('{"a": 1}').map('a', 'b')).toBe('a.b');
  });
});
