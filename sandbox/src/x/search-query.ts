import type { XState, XTweet } from './state';

/**
 * The subset of X's search query language the product uses: operators `from:`,
 * `conversation_id:`, `in_reply_to_tweet_id:`, `retweets_of_tweet_id:`, `quotes_of_tweet_id:`,
 * `is:retweet` / `-is:retweet`, bare keywords, implicit AND, `OR`, parentheses.
 * AND binds tighter than OR, as on X.
 */
export type Matcher = (t: XTweet, state: XState) => boolean;

export class QueryError extends Error {}

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
  if (!q.trim()) throw new QueryError('query must not be empty');
  if (q.length > 512) throw new QueryError(`query is ${q.length} characters; the limit is 512`);
  const toks = tokenize(q);
  let i = 0;
  const orExpr = (): Matcher => {
    const parts = [andExpr()];
    while (toks[i] === 'OR') {
      i++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (t, s) => parts.some((p) => p(t, s));
  };
  const andExpr = (): Matcher => {
    const parts: Matcher[] = [];
    while (i < toks.length && toks[i] !== ')' && toks[i] !== 'OR') parts.push(term());
    if (!parts.length) throw new QueryError('empty group');
    return parts.length === 1 ? parts[0]! : (t, s) => parts.every((p) => p(t, s));
  };
  const term = (): Matcher => {
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
    if (colon > 0) {
      const op = OPERATORS[body.slice(0, colon)];
      if (!op) throw new QueryError(`unsupported operator ${body.slice(0, colon)}:`);
      m = op(body.slice(colon + 1));
    } else {
      const word = body.toLowerCase();
      m = (t) => t.text.toLowerCase().includes(word);
    }
    return neg ? (t, s) => !m(t, s) : m;
  };
  const matcher = orExpr();
  if (i !== toks.length) throw new QueryError('unbalanced parentheses');
  return matcher;
}
