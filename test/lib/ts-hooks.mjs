// Node module hooks that let plain Node import this repository's TypeScript test helpers: a relative
// `./x.js` that does not exist resolves to `./x.ts` (the NodeNext convention the sources use), and `.ts`
// is transpiled by the project's own TypeScript (types are checked by `npm run typecheck`, not here).
// Why: Jest loads a project's globalSetup with Node's loader, without the moduleNameMapper and transform
// the tests get, and the operator tier's globalSetup starts the control plane from test/lib/control-plane/.
// Registered by test/operator/global-setup.mjs; inert for every other specifier.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
  if ((specifier.startsWith('./') || specifier.startsWith('../')) && specifier.endsWith('.js') && context.parentURL?.endsWith('.ts') === true) {
    const source = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (!existsSync(new URL(specifier, context.parentURL)) && existsSync(source)) return { url: source.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = readFileSync(fileURLToPath(url), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, inlineSourceMap: true },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
