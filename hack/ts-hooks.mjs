// Node module hooks that run the repository's TypeScript tools (samples/generate.ts) straight from their
// sources, with the TypeScript compiler already in devDependencies: Node 20 cannot strip types itself, and
// a build step would let a generator run stale code from dist/. Types are checked by `npm run typecheck`,
// not here (each file is transpiled on its own, as ts-jest does for the tests). Registered by run-ts.mjs.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const COMPILER_OPTIONS = { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true };

/**
 * Sources import their siblings as './x.js' (NodeNext); the file on disk is x.ts.
 * @type {import('node:module').ResolveHook}
 */
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (err) {
    const relativeJs = /^\.{1,2}\/.*\.js$/.test(specifier);
    if (/** @type {{ code?: string } | undefined} */ (err)?.code !== 'ERR_MODULE_NOT_FOUND' || !relativeJs || context.parentURL?.endsWith('.ts') !== true) throw err;
    return nextResolve(specifier.replace(/\.js$/, '.ts'), context);
  }
}

/** @type {import('node:module').LoadHook} */
export async function load(url, context, nextLoad) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return nextLoad(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), { fileName, compilerOptions: COMPILER_OPTIONS });
  return { format: 'module', source: outputText, shortCircuit: true };
}
