#!/usr/bin/env node
// `npm run bench`: the benchmarks in test/bench/, loaded through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../test/bench/run.ts');
