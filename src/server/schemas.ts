import { z } from 'zod';
import { STATUSES } from '../core/status.ts';

/** Request and response schemas: validation and the OpenAPI document come from these. */

export const createDeploymentBody = z.strictObject({
  buildId: z.string().min(1).max(200).describe("The caller's build reference"),
  chain: z
    .union([z.string().min(1).max(64), z.number().int().positive()])
    .describe('Chain preset or configured name, or chain id'),
  bytecode: z.string().min(1).max(400_000).describe('Creation bytecode, 0x-prefixed hex'),
  abi: z.unknown().describe('The JSON ABI array'),
  constructorArgs: z.array(z.unknown()).max(64).default([]).describe('JSON values in ABI order'),
  contractName: z.string().min(1).max(200).optional(),
  source: z.unknown().optional().describe('solc standard JSON input, for verification'),
  compilerVersion: z.string().max(100).optional(),
  confirmations: z.number().int().min(1).max(1000).optional(),
  verify: z.boolean().optional(),
});
export type CreateDeploymentBody = z.infer<typeof createDeploymentBody>;

export const listQuery = z.strictObject({
  status: z.enum(STATUSES).optional(),
  chainId: z.coerce.number().int().positive().optional(),
  buildId: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(500).optional(),
  cursor: z.string().min(1).max(500).optional(),
});

export const eventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).optional(),
});

export const idParams = z.strictObject({ id: z.string().min(1).max(100) });

export const streamQuery = z.strictObject({
  deploymentId: z.string().min(1).max(100).optional(),
  buildId: z.string().min(1).max(200).optional(),
  after: z.coerce.number().int().min(0).optional(),
  token: z.string().optional(),
});

export const errorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    hint: z.string().optional(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

/** The deployment object (see src/core/view.ts), loosely: its fields are documented there. */
export const deploymentSchema = z.looseObject({
  id: z.string(),
  buildId: z.string(),
  chain: z.string(),
  chainId: z.number(),
  status: z.enum(STATUSES),
  txHash: z.string().nullable(),
  contractAddress: z.string().nullable(),
  retryCount: z.number(),
  error: z
    .looseObject({ code: z.string(), message: z.string(), hint: z.string(), step: z.string() })
    .nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
