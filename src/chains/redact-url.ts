const MASK = '***';

/**
 * A path segment that looks like an API key (infura `/v3/<key>`, alchemy `/v2/<key>`, uuids):
 * 16+ key characters, unless it is a readable lower-case slug such as `metis-sepolia-rpc`.
 */
const looksLikeKey = (segment: string): boolean =>
  /^[A-Za-z0-9_-]{16,}$/.test(segment) && !/^[a-z]+(?:-[a-z]+)*$/.test(segment);

const redactQuery = (search: string): string => {
  if (search.length <= 1) return '';
  const parts = search
    .slice(1)
    .split('&')
    .filter((part) => part !== '')
    // A bare `?token` may be the secret itself.
    .map((part) => (part.includes('=') ? `${part.slice(0, part.indexOf('='))}=${MASK}` : MASK));
  return parts.length > 0 ? `?${parts.join('&')}` : '';
};

const redactPath = (path: string): string =>
  path
    .split('/')
    .map((segment) => (looksLikeKey(segment) ? MASK : segment))
    .join('/');

/**
 * An RPC URL safe to display: no userinfo, query values masked, key-like path segments masked.
 * Never throws: text that is not a URL is redacted by the same rules, as well as it can be.
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return redactUnparsed(url);
  }
  // `host` keeps the port; username/password are dropped by not copying them.
  const origin = parsed.host ? `${parsed.protocol}//${parsed.host}` : parsed.protocol;
  const hash = parsed.hash.length > 1 ? `#${MASK}` : '';
  return `${origin}${redactPath(parsed.pathname)}${redactQuery(parsed.search)}${hash}`;
}

function redactUnparsed(text: string): string {
  const [beforeHash = '', ...afterHash] = text.split('#');
  const queryAt = beforeHash.indexOf('?');
  const base = queryAt >= 0 ? beforeHash.slice(0, queryAt) : beforeHash;
  const query = queryAt >= 0 ? redactQuery(beforeHash.slice(queryAt)) : '';
  const withoutUserinfo = base.replace(/^([^/]*\/\/)?[^/@]*@/, '$1');
  const hash = afterHash.length > 0 ? `#${MASK}` : '';
  return `${redactPath(withoutUserinfo)}${query}${hash}`;
}
