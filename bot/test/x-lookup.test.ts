import { createXClientFactory } from '@engagement-tracker/core';
import { startXDouble, type XDouble } from '@engagement-tracker/sandbox/x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTweetLookup } from '../src/x-lookup';

let x: XDouble;
beforeAll(async () => {
  x = await startXDouble();
});
afterAll(async () => {
  await x.close();
});

describe('submission lookup', () => {
  it("looks a protected member's own post up with their token (the app cannot see it)", async () => {
    const f = createXClientFactory({ baseUrl: x.url, authorizeUrl: `${x.url}/i/oauth2/authorize`, clientId: 'sandbox-client', bearerToken: 'sandbox-bearer-token' });
    const locked = x.state.addUser({ username: 'locked_member', protected: true });
    const other = x.state.addUser({ username: 'someone_else' });
    const post = x.state.addTweet({ authorId: locked.id, text: 'members only' });
    const own = x.state.issueTokens(locked.id).accessToken;
    const stranger = x.state.issueTokens(other.id).accessToken;
    // the app alone: not visible
    expect(await createTweetLookup(f)(post.id)).toBeNull();
    // with the author's token: found, with its author and metrics
    expect(await createTweetLookup(f, { memberToken: async () => own })(post.id)).toMatchObject({ id: post.id, authorId: locked.id, authorHandle: 'locked_member' });
    // someone else's token still cannot see it; and a missing post is not retried with the token
    expect(await createTweetLookup(f, { memberToken: async () => stranger })(post.id)).toBeNull();
    let asked = 0;
    expect(await createTweetLookup(f, { memberToken: async () => (asked++, own) })('1234567890123456789')).toBeNull();
    expect(asked).toBe(0);
  });
});
