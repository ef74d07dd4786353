#!/usr/bin/env node
// The CLI is TypeScript; tsx compiles it on the fly (no build step, no Python, no native code).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/run.ts');
