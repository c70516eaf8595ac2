export {
  type AnvilHardfork,
  type AnvilInstance,
  type StartAnvilOptions,
  startAnvil,
} from './anvil.ts';
export { anvilBinaryPath } from './binary.ts';
export { fundAccount, getChainId, mine, rpcCall, setAutomine, setIntervalMining } from './rpc.ts';
