import type { XState, XTweet } from './state';

/**
 * The subset of X's search query language the product uses: operators `from:`,
 * `conversation_id:`, `in_reply_to_tweet_id:`, `retweets_of_tweet_id:`, `quotes_of_tweet_id:`,
 * `is:retweet` / `-is:retweet`, bare keywords, implicit AND, `OR`, parentheses.
 * AND binds tighter than OR, as on X.
 */
export type Matcher = (t: XTweet, state: XState) => boolean;

export class QueryError extends Error {}

/**
 * Post ids a query can only match among (an index lookup), or null when it could match any post.
 * Used by the double to answer narrow queries without scanning seven days of posts.
 */
export type Candidates = (state: XState) => Set<string> | null;

const INDEXED: Record<string, (v: string, s: XState) => Iterable<string>> = {
  from: (v, s) => {
    const u = s.userByUsername(v.replace(/^@/, ''));
    return [...(s.timelines.get(v) ?? []), ...(u ? (s.timelines.get(u.id) ?? []) : [])];
  },
  conversation_id: (v, s) => s.conversation.get(v) ?? [],
  in_reply_to_tweet_id: (v, s) => s.conversation.get(s.tweets.get(v)?.conversationId ?? v) ?? [],
  retweets_of_tweet_id: (v, s) => s.retweetsOf.get(v) ?? [],
  quotes_of_tweet_id: (v, s) => s.quotesOf.get(v) ?? [],
};

const OPERATORS: Record<string, (v: string) => Matcher> = {
  from: (v) => (t, s) => s.userOrStub(t.authorId).username.toLowerCase() === v.toLowerCase().replace(/^@/, '') || t.authorId === v,
  conversation_id: (v) => (t) => t.conversationId === v && t.id !== v,
  in_reply_to_tweet_id: (v) => (t) => t.referenced?.type === 'replied_to' && t.referenced.id === v,
  retweets_of_tweet_id: (v) => (t) => t.referenced?.type === 'retweeted' && t.referenced.id === v,
  quotes_of_tweet_id: (v) => (t) => t.referenced?.type === 'quoted' && t.referenced.id === v,
  is: (v) => {
    if (v === 'retweet') return (t) => t.referenced?.type === 'retweeted';
    if (v === 'reply') return (t) => t.referenced?.type === 'replied_to';
    if (v === 'quote') return (t) => t.referenced?.type === 'quoted';
    throw new QueryError(`unsupported is:${v}`);
  },
};

function tokenize(q: string): string[] {
  const out: string[] = [];
  const re = /\s*(\(|\)|-?[^\s()]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(q))) out.push(m[1]!);
  return out;
}

export function parseQuery(q: string): Matcher {
  return parseSearch(q).match;
}

/** Parse a query into its matcher and its candidate index lookup. */
export function parseSearch(q: string): { match: Matcher; candidates: Candidates } {
  if (!q.trim()) throw new QueryError('query must not be empty');
  if (q.length > 512) throw new QueryError(`query is ${q.length} characters; the limit is 512`);
  const toks = tokenize(q);
  let i = 0;
  type Node = { match: Matcher; candidates: Candidates };
  const orExpr = (): Node => {
    const parts = [andExpr()];
    while (toks[i] === 'OR') {
      i++;
      parts.push(andExpr());
    }
    if (parts.length === 1) return parts[0]!;
    return {
      match: (t, s) => parts.some((p) => p.match(t, s)),
      candidates: (s) => {
        const out = new Set<string>();
        for (const p of parts) {
          const c = p.candidates(s);
          if (!c) return null;
          for (const id of c) out.add(id);
        }
        return out;
      },
    };
  };
  const andExpr = (): Node => {
    const parts: Node[] = [];
    while (i < toks.length && toks[i] !== ')' && toks[i] !== 'OR') parts.push(term());
    if (!parts.length) throw new QueryError('empty group');
    if (parts.length === 1) return parts[0]!;
    return {
      match: (t, s) => parts.every((p) => p.match(t, s)),
      candidates: (s) => {
        let best: Set<string> | null = null;
        for (const p of parts) {
          const c = p.candidates(s);
          if (c && (!best || c.size < best.size)) best = c;
        }
        return best;
      },
    };
  };
  const term = (): Node => {
    const tok = toks[i++]!;
    if (tok === '(') {
      const inner = orExpr();
      if (toks[i++] !== ')') throw new QueryError('unbalanced parentheses');
      return inner;
    }
    const neg = tok.startsWith('-');
    const body = neg ? tok.slice(1) : tok;
    const colon = body.indexOf(':');
    let m: Matcher;
    let candidates: Candidates = () => null;
    if (colon > 0) {
      const name = body.slice(0, colon);
      const op = OPERATORS[name];
      if (!op) throw new QueryError(`unsupported operator ${name}:`);
      const value = body.slice(colon + 1);
      m = op(value);
      const index = INDEXED[name];
      if (index && !neg) candidates = (s) => new Set(index(value, s));
    } else {
      const word = body.toLowerCase();
      m = (t) => t.text.toLowerCase().includes(word);
    }
    return { match: neg ? (t, s) => !m(t, s) : m, candidates };
  };
  const root = orExpr();
  if (i !== toks.length) throw new QueryError('unbalanced parentheses');
  return root;
}
