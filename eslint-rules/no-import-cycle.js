import path from 'node:path';
import ts from 'typescript';

/**
 * Fails on an import circle: a module that imports (directly or through others) a module that
 * imports it back. Every import counts: `import type` too (a circle of types is still two modules
 * that cannot be understood or moved apart), re-exports, and `import()`. import-x/no-cycle (4.18)
 * skips type-only imports with no option to count them, and each of the three circles issue 22
 * found in src/ had a type-only import on it, so it reported none of them.
 *
 * Reads the TypeScript program typed linting already built (no second parse), and reports each
 * import whose module leads back to the importing file, with the shortest way back.
 */

/** @type {WeakMap<ts.Program, Map<string, { target: string, node: ts.Node }[]>>} */
const graphs = new WeakMap();

/** @param {ts.SourceFile} file */
function moduleSpecifiers(file) {
  /** @type {ts.StringLiteralLike[]} */
  const found = [];
  const visit = (/** @type {ts.Node} */ node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteralLike(node.moduleSpecifier)
    )
      found.push(node.moduleSpecifier);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteralLike(node.moduleReference.expression)
    )
      found.push(node.moduleReference.expression);
    else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    )
      found.push(node.arguments[0]);
    else if (
      ts.isImportTypeNode(node) &&
      ts.isLiteralTypeNode(node.argument) &&
      ts.isStringLiteralLike(node.argument.literal)
    )
      found.push(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** The project's own modules `fileName` imports (packages left out), from the program's parse of it. */
function importsOf(/** @type {ts.Program} */ program, /** @type {string} */ fileName) {
  let graph = graphs.get(program);
  if (!graph) {
    graph = new Map();
    graphs.set(program, graph);
  }
  let edges = graph.get(fileName);
  if (edges) return edges;
  edges = [];
  graph.set(fileName, edges);
  const file = program.getSourceFile(fileName);
  if (!file) return edges;
  const options = program.getCompilerOptions();
  for (const specifier of moduleSpecifiers(file)) {
    const mode = ts.getModeForUsageLocation(file, specifier, options);
    const resolved = ts.resolveModuleName(
      specifier.text,
      fileName,
      options,
      ts.sys,
      undefined,
      undefined,
      mode,
    ).resolvedModule;
    if (!resolved || resolved.isExternalLibraryImport || resolved.resolvedFileName.endsWith('.d.ts')) continue;
    edges.push({ target: path.normalize(resolved.resolvedFileName), node: specifier });
  }
  return edges;
}

/** The shortest chain of imports from `from` back to `to`, as module paths, or undefined when there is none. */
function wayBack(/** @type {ts.Program} */ program, /** @type {string} */ from, /** @type {string} */ to) {
  /** @type {Map<string, string | null>} */
  const cameFrom = new Map([[from, null]]);
  const queue = [from];
  while (queue.length > 0) {
    const current = /** @type {string} */ (queue.shift());
    for (const { target } of importsOf(program, current)) {
      if (cameFrom.has(target)) continue;
      cameFrom.set(target, current);
      if (target === to) {
        const chain = [to];
        for (let at = current; at !== null; at = /** @type {string | null} */ (cameFrom.get(at))) chain.unshift(at);
        return chain;
      }
      queue.push(target);
    }
  }
  return undefined;
}

/**
 * The program typed linting built for the file (typescript-eslint's parser services), if any.
 * @param {{ sourceCode: { parserServices?: { program?: ts.Program | null } } }} context
 */
const programOf = (context) => context.sourceCode.parserServices?.program ?? undefined;

/** @type {import('eslint').Rule.RuleModule} */
const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import circles, type-only imports included.' },
    schema: [],
    messages: { cycle: 'Import circle: {{chain}}. Move what both sides need to a module of its own.' },
  },
  create(context) {
    const program = programOf(context);
    if (!program) return {};
    const fileName = path.normalize(context.physicalFilename);
    const relative = (/** @type {string} */ file) => path.relative(context.cwd, file);
    return {
      Program() {
        const file = program.getSourceFile(fileName);
        if (!file) return;
        const seen = new Set();
        for (const { target, node } of importsOf(program, fileName)) {
          if (seen.has(target)) continue;
          seen.add(target);
          const chain = target === fileName ? [fileName] : wayBack(program, target, fileName);
          if (!chain) continue;
          const start = file.getLineAndCharacterOfPosition(node.getStart(file));
          const end = file.getLineAndCharacterOfPosition(node.getEnd());
          context.report({
            loc: {
              start: { line: start.line + 1, column: start.character },
              end: { line: end.line + 1, column: end.character },
            },
            messageId: 'cycle',
            data: { chain: [fileName, ...chain].map(relative).join(' → ') },
          });
        }
      },
    };
  },
};

export default { meta: { name: 'troupe' }, rules: { 'no-import-cycle': noImportCycle } };
