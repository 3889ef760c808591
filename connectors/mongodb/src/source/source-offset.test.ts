import { describe, expect, it } from 'vitest';
import { copyOffset, decodeOffset, heartbeatOffset, sourcePartition, streamOffset } from './source-offset.js';

describe('MongoDB source offsets', () => {
  it("derive the partition from the URI hosts and namespace, without credentials or options", () => {
    const scope = { kind: 'collection', database: 'shop', collection: 'orders' } as const;
    expect(sourcePartition('mongodb://u:p@h1:27017,h2:27018/admin?replicaSet=rs0', scope, '')).toEqual({ ns: 'mongodb://h1:27017,h2:27018/shop.orders' });
    expect(sourcePartition('mongodb+srv://c.example.net', { kind: 'deployment' }, '')).toEqual({ ns: 'mongodb+srv://c.example.net/' });
    expect(sourcePartition('mongodb://h', scope, 'mine')).toEqual({ ns: 'mine' });
  });

  it('round-trip resume tokens, heartbeat and copy markers', () => {
    const token = { _data: '8265A1B2C3000000012B022C0100296E5A1004' };
    expect(decodeOffset(streamOffset(token))).toEqual({ kind: 'resume', token, heartbeat: false });
    expect(decodeOffset(heartbeatOffset(token))).toEqual({ kind: 'resume', token, heartbeat: true });
    expect(decodeOffset(copyOffset(token))).toEqual({ kind: 'copy' });
    expect(decodeOffset(copyOffset(null))).toEqual({ kind: 'copy' });
  });

  it("read offsets in the official connector's layout", () => {
    expect(decodeOffset({ _id: '{"_data": "82AB"}', HEARTBEAT: 'true' })).toEqual({ kind: 'resume', token: { _data: '82AB' }, heartbeat: true });
  });

  it('refuse offsets without a usable token', () => {
    expect(() => decodeOffset({ position: 3 })).toThrow(/resume token/);
    expect(() => decodeOffset({ _id: 'not json' })).toThrow(/not valid JSON/);
    expect(() => decodeOffset({ _id: '[1]' })).toThrow(/must be a JSON document/);
  });
});
