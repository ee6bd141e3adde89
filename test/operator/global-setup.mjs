// Jest globalSetup of the `operator` project. Jest loads this file with Node's own loader, which cannot
// import TypeScript: register the repository's hooks (hack/ts-hooks.mjs, as hack/run-ts.mjs does), then run
// control-plane-setup.ts.
import { register } from 'node:module';

register('../../hack/ts-hooks.mjs', import.meta.url);
// A specifier in a variable: tsc --checkJs (tsconfig.mjs.json) would refuse a literal '.ts' import.
const entry = './control-plane-setup.ts';
/** @type {{ default: () => Promise<void> }} */
const { default: setup } = await import(entry);
export default setup;
