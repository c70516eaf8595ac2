#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so the bin works from a clone without a build.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
