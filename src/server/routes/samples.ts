import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ChainConfig } from '../../chains/types.ts';
import { type ContractArtifact, compileSolidity } from '../../inputs/index.ts';

const CONTRACTS = fileURLToPath(new URL('../../../contracts/', import.meta.url));

/** The sample contracts the dashboard's form deploys (the demo's; one reverts on purpose). */
const SAMPLES = [
  { name: 'Counter', file: 'Counter.sol', args: [] as unknown[] },
  { name: 'Token', file: 'Token.sol', args: ['Hyper Token', 'HYP', '1000000000000000000000000'] },
  { name: 'Reverting', file: 'Reverting.sol', args: [7], note: 'reverts: NotAllowed(caller, 7)' },
];

/** `/v1/samples?chain=…`: sample contracts compiled for that chain's EVM version (cached). */
export function sampleRoutes(app: FastifyInstance, chains: Record<string, ChainConfig>): void {
  const compiled = new Map<string, Promise<ContractArtifact>>();
  const compile = (file: string, evmVersion: string) => {
    const key = `${file}@${evmVersion}`;
    let artifact = compiled.get(key);
    if (!artifact) {
      artifact = compileSolidity({ file: CONTRACTS + file, evmVersion });
      compiled.set(key, artifact);
    }
    return artifact;
  };
  app.get('/v1/samples', async (request) => {
    const { chain } = request.query as { chain?: string };
    const target = Object.values(chains).find((c) => c.name === chain) ?? Object.values(chains)[0];
    const evmVersion = target?.evmVersion ?? 'shanghai';
    const items = await Promise.all(
      SAMPLES.map(async (sample) => {
        const artifact = await compile(sample.file, evmVersion);
        return {
          name: sample.name,
          bytecode: artifact.bytecode,
          abi: artifact.abi,
          constructorArgs: sample.args,
          note: sample.note ?? null,
          evmVersion,
        };
      }),
    );
    return { items };
  });
}
