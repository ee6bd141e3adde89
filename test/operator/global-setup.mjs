// Jest globalSetup of the `operator` project. Jest loads this file with Node's own loader, which cannot
// import TypeScript: register the repository's hooks (test/lib/ts-hooks.mjs), then run control-plane-setup.ts.
import { register } from 'node:module';

register('../lib/ts-hooks.mjs', import.meta.url);
const { default: setup } = await import('./control-plane-setup.ts');
export default setup;
