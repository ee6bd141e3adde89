import { SubscriptionTable } from './subscriptions.js';

describe('SubscriptionTable', () => {
  it('when two clients subscribe to one URI, then only the first and the last one leaving reach the process', () => {
    const table = new SubscriptionTable<string>();
    expect(table.add('a', 'u')).toBe(true);
    expect(table.add('b', 'u')).toBe(false);
    expect([...table.subscribersOf('u')]).toEqual(['a', 'b']);
    expect(table.remove('a', 'u')).toBe(false);
    expect(table.remove('a', 'u')).toBe(false); // not subscribed any more: nothing to tell
    expect(table.remove('b', 'u')).toBe(true);
    expect(table.size).toBe(0);
  });

  it("when a client leaves, then the URIs only it held are returned and its list is empty", () => {
    const table = new SubscriptionTable<string>();
    table.add('a', 'u1');
    table.add('a', 'u2');
    table.add('b', 'u2');
    expect(table.of('a')).toEqual(['u1', 'u2']);
    expect(table.drop('a')).toEqual(['u1']);
    expect(table.of('a')).toEqual([]);
    expect([...table.uris()]).toEqual(['u2']);
  });
});
