// HTTP and WebSocket access to the hyperdeploy API, with the optional API token.

const TOKEN_KEY = 'hyperdeploy.token';

let unauthorizedHandler = () => {};

/** Called on any 401, so the app can ask for a token. */
export function onUnauthorized(handler) {
  unauthorizedHandler = handler;
}

/** Takes `?token=` from the page URL into local storage and out of the address bar. */
export function adoptTokenFromUrl() {
  const params = new URLSearchParams(location.search);
  const token = params.get('token');
  if (!token) return;
  setToken(token);
  params.delete('token');
  const search = params.toString();
  history.replaceState(
    null,
    '',
    `${location.pathname}${search ? `?${search}` : ''}${location.hash}`,
  );
}

export function getToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function setToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be unavailable (private mode): the token then lasts for this page only.
  }
}

/** An API error: `{ error: { code, message, hint, details } }` from the server, or a network failure. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    const error = body?.error ?? {};
    super(error.message ?? fallback ?? `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = error.code ?? (status ? `HTTP_${status}` : 'NETWORK');
    this.hint = error.hint ?? null;
    this.details = error.details ?? null;
  }
}

/** JSON request to the API; throws ApiError on a non-2xx answer. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (cause) {
    throw new ApiError(0, null, `The server did not answer (${cause.message}).`);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = new ApiError(response.status, data);
    if (response.status === 401) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const query = (params) => {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
};

/**
 * `/v1/stream` with automatic reconnection. `after()` (optional) gives the last seq seen, sent
 * on every (re)connection so the server replays what was missed. Callbacks:
 * `onEvent(message)`, `onLive({ reconnected })` once the replay is done, `onState(state)` with
 * 'connecting' | 'live' | 'reconnecting'.
 */
export class LiveStream {
  constructor({ params = {}, after, onEvent, onLive = () => {}, onState = () => {} }) {
    this.params = params;
    this.after = after;
    this.onEvent = onEvent;
    this.onLive = onLive;
    this.onState = onState;
    this.socket = null;
    this.stopped = false;
    this.delay = 500;
    this.connections = 0;
    this.timer = null;
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    if (this.stopped) return;
    const after = this.after ? this.after() : undefined;
    const token = getToken();
    const protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const url = `${protocol}//${location.host}/v1/stream${query({ ...this.params, after, token })}`;
    this.onState(this.connections === 0 ? 'connecting' : 'reconnecting');
    const socket = new WebSocket(url);
    this.socket = socket;
    const reconnected = this.connections > 0;
    this.connections += 1;
    socket.addEventListener('message', (message) => {
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data.type === 'event') this.onEvent(data);
      else if (data.type === 'live') {
        this.delay = 500;
        this.onState('live');
        this.onLive({ reconnected });
      }
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket || this.stopped) return;
      this.onState('reconnecting');
      this.timer = setTimeout(() => this.connect(), this.delay);
      this.delay = Math.min(this.delay * 2, 10_000);
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    // Closing a socket that is still connecting logs a browser error: close it once open.
    if (socket.readyState === WebSocket.CONNECTING) {
      socket.addEventListener('open', () => socket.close());
    } else socket.close();
  }
}
