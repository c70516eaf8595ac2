// hyperdeploy dashboard: hash routing between the list (#/) and one deployment (#/deployments/ID).
import { adoptTokenFromUrl, api, onUnauthorized, setToken } from './api.js';
import { detailView } from './detail.js';
import { startClocks } from './dom.js';
import { listView } from './list.js';

const root = document.getElementById('app');
const connection = document.querySelector('[data-testid="connection"]');
const prompt = document.querySelector('[data-testid="token-prompt"]');

const CONNECTION_TEXT = {
  connecting: 'connecting…',
  live: 'live',
  reconnecting: 'reconnecting…',
  offline: 'offline',
};

function setConnection(state) {
  connection.dataset.state = state;
  connection.textContent = CONNECTION_TEXT[state] ?? state;
}

let chains = [];
const ctx = {
  api,
  get chains() {
    return chains;
  },
  chainById: (chainId) => chains.find((c) => c.chainId === chainId) ?? null,
  setConnection,
};

let view = null;
let booted = false;

function route() {
  view?.destroy();
  view = null;
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = hash.split('?');
  const match = path.match(/^\/deployments\/([^/]+)$/);
  window.scrollTo(0, 0);
  if (match) {
    document.title = 'Deployment · hyperdeploy';
    view = detailView(root, decodeURIComponent(match[1]), ctx);
  } else {
    document.title = 'Deployments · hyperdeploy';
    view = listView(root, new URLSearchParams(search), ctx);
  }
}

async function boot() {
  try {
    chains = (await api('/v1/chains')).items;
  } catch (error) {
    if (error.status === 401) return; // the token prompt is showing
    setConnection('offline');
    root.textContent = `Could not reach the hyperdeploy API: ${error.message}`;
    return;
  }
  booted = true;
  route();
}

function showTokenPrompt(error) {
  view?.destroy();
  view = null;
  setConnection('offline');
  prompt.hidden = false;
  const message = prompt.querySelector('[data-testid="token-error"]');
  message.hidden = false;
  message.textContent =
    error?.code === 'UNAUTHORIZED' ? error.message : 'The server refused the request.';
  prompt.querySelector('input').focus();
}

prompt.querySelector('form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = prompt.querySelector('input');
  setToken(input.value.trim());
  input.value = '';
  prompt.hidden = true;
  boot();
});

onUnauthorized(showTokenPrompt);
adoptTokenFromUrl();
window.addEventListener('hashchange', () => {
  if (booted && prompt.hidden) route();
});
startClocks();
boot();
