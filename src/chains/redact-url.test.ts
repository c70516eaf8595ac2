import { describe, expect, it } from 'vitest';
import { redactUrl } from './redact-url.ts';

describe('redactUrl', () => {
  it.each([
    ['https://user:secret@rpc.example.org/path', 'https://rpc.example.org/path'],
    ['https://:token@rpc.example.org', 'https://rpc.example.org/'],
    [
      'https://mainnet.infura.io/v3/0123456789abcdef0123456789abcdef',
      'https://mainnet.infura.io/v3/***',
    ],
    [
      'https://eth-mainnet.g.alchemy.com/v2/aB3_dE-fGh1jKlMnOpQrStUv',
      'https://eth-mainnet.g.alchemy.com/v2/***',
    ],
    [
      'https://eth-mainnet.blastapi.io/3f2b6c1e-1d2c-4b8a-9a9e-2c8f1e7d6b5a',
      'https://eth-mainnet.blastapi.io/***',
    ],
    ['https://x.quiknode.pro/abcdef0123456789abcd/', 'https://x.quiknode.pro/***/'],
    [
      'https://rpc.example.org/?apikey=s3cr3t&chain=1',
      'https://rpc.example.org/?apikey=***&chain=***',
    ],
    ['https://rpc.example.org/?s3cr3tt0ken', 'https://rpc.example.org/?***'],
    ['https://andromeda.metis.io/?owner=1088', 'https://andromeda.metis.io/?owner=***'],
    ['wss://u:p@ws.example.org:8546/ws#frag', 'wss://ws.example.org:8546/ws#***'],
  ])('%s → %s', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('keeps URLs without credentials as they are', () => {
    for (const url of [
      'https://sepolia.metisdevops.link/',
      'http://127.0.0.1:8545/',
      'https://metis-sepolia-rpc.publicnode.com/',
      'https://example.org/metis-andromeda-mainnet/rpc',
    ]) {
      expect(redactUrl(url)).toBe(url);
    }
  });

  it('redacts text that does not parse as a URL', () => {
    const out = redactUrl('rpc.example.org/v3/0123456789abcdef0123?key=x');
    expect(out).toBe('rpc.example.org/v3/***?key=***');
    expect(redactUrl('//user:pw@host/x')).toBe('//host/x');
  });
});
