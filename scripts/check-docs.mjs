#!/usr/bin/env node
// npm run docs:check: fails on a broken relative link or anchor in the Markdown docs, and on a public
// export without a doc comment (TypeDoc's notDocumented validation over typedoc.json's entry points).
//
//   node scripts/check-docs.mjs                      README.md and docs/**/*.md; the exports typedoc.json names
//   node scripts/check-docs.mjs --markdown <path>    check these Markdown files or folders instead (repeatable)
//   node scripts/check-docs.mjs --typedoc <file>     use this TypeDoc config instead of ./typedoc.json
//   node scripts/check-docs.mjs --no-links | --no-api   skip one of the two checks
//
// Exit code 0 when both pass, 1 when a problem is found (each named on stderr), 2 on bad arguments.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';

/** @typedef {{ markdown: string[], typedoc: string, links: boolean, api: boolean }} Options */

/** @param {string[]} argv @returns {Options} */
function parseArgs(argv) {
  /** @type {Options} */
  const options = { markdown: [], typedoc: 'typedoc.json', links: true, api: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) usage(`${arg} needs a value`);
      return next;
    };
    if (arg === '--markdown') options.markdown.push(value());
    else if (arg === '--typedoc') options.typedoc = value();
    else if (arg === '--no-links') options.links = false;
    else if (arg === '--no-api') options.api = false;
    else usage(`unknown argument ${arg}`);
  }
  if (options.markdown.length === 0) options.markdown = ['README.md', 'docs'];
  return options;
}

/** @param {string} problem @returns {never} */
function usage(problem) {
  console.error(
    `docs:check: ${problem}\nusage: node scripts/check-docs.mjs [--markdown <file|dir>]... [--typedoc <typedoc.json>] [--no-links] [--no-api]`,
  );
  process.exit(2);
}

/**
 * TypeDoc's output folder (generated, not checked in): links into it are not checked.
 * @param {string} typedocPath
 */
function typedocOut(typedocPath) {
  if (!existsSync(typedocPath)) return undefined;
  /** @type {unknown} */
  const config = JSON.parse(readFileSync(typedocPath, 'utf8'));
  const out = config && typeof config === 'object' && 'out' in config ? config.out : undefined;
  return typeof out === 'string' ? resolve(dirname(typedocPath), out) : undefined;
}

/** @param {string[]} paths @param {string | undefined} skipDir */
function markdownFiles(paths, skipDir) {
  /** @type {string[]} */
  const files = [];
  /** @param {string} path */
  const walk = (path) => {
    if (!existsSync(path)) usage(`no such file or folder: ${path}`);
    if (statSync(path).isDirectory()) {
      if (skipDir && resolve(path) === skipDir) return;
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (path.endsWith('.md')) files.push(resolve(path));
  };
  for (const path of paths) walk(path);
  return files;
}

// ---- Markdown: links and anchors ----

/**
 * The lines outside fenced code blocks, with inline code blanked (links there are examples, not links).
 * @param {string} text
 */
function proseLines(text) {
  const lines = text.split('\n');
  /** @type {string | undefined} */
  let fence;
  return lines.map((line) => {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length) fence = undefined;
      return '';
    }
    if (opening) {
      fence = opening[1];
      return '';
    }
    return line.replace(/(`+)(?:(?!\1).)+\1/g, (code) => ' '.repeat(code.length));
  });
}

/**
 * GitHub's anchor for a heading (github-slugger): lower case, punctuation dropped, spaces to hyphens.
 * @param {string} heading
 */
function slug(heading) {
  return heading
    .trim()
    .replace(/<[^>]*>/g, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** @type {Map<string, Set<string>>} */
const anchorCache = new Map();

/**
 * Every anchor a Markdown file offers: its headings' slugs (numbered when repeated) and explicit ids.
 * @param {string} file
 */
function anchorsOf(file) {
  let anchors = anchorCache.get(file);
  if (anchors) return anchors;
  anchors = new Set();
  /** @type {Map<string, number>} */
  const counts = new Map();
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  /** @type {string | undefined} */
  let fence;
  for (const line of lines) {
    const opening = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence) {
      if (opening && opening[1][0] === fence[0] && opening[1].length >= fence.length) fence = undefined;
      continue;
    }
    if (opening) {
      fence = opening[1];
      continue;
    }
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[1]);
      const seen = counts.get(base) ?? 0;
      counts.set(base, seen + 1);
      anchors.add(seen === 0 ? base : `${base}-${seen}`);
    }
    for (const id of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id[1]);
  }
  anchorCache.set(file, anchors);
  return anchors;
}

/**
 * Each link target in a Markdown file, with its line: inline links and images, reference definitions, HTML hrefs.
 * @param {string} file
 */
function linksOf(file) {
  /** @type {{ target: string, line: number }[]} */
  const links = [];
  proseLines(readFileSync(file, 'utf8')).forEach((line, index) => {
    const found = [
      ...[...line.matchAll(/\]\(\s*(<[^>]*>|[^()\s]*(?:\([^()\s]*\)[^()\s]*)*)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)].map(
        (m) => m[1],
      ),
      ...[...line.matchAll(/^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/g)].map((m) => m[1]),
      ...[...line.matchAll(/\b(?:href|src)="([^"]*)"/g)].map((m) => m[1]),
    ];
    for (const target of found) links.push({ target: target.replace(/^<|>$/g, ''), line: index + 1 });
  });
  return links;
}

/** @param {string[]} files @param {string | undefined} generatedDir @param {string} root */
function checkLinks(files, generatedDir, root) {
  /** @type {string[]} */
  const problems = [];
  let checked = 0;
  for (const file of files) {
    for (const { target, line } of linksOf(file)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue; // http:, mailto: ...
      checked++;
      const where = `${relative(root, file)}:${line}`;
      const hash = target.indexOf('#');
      const pathPart = decodeURI(hash === -1 ? target : target.slice(0, hash));
      const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
      const dest =
        pathPart === '' ? file : pathPart.startsWith('/') ? join(root, pathPart) : resolve(dirname(file), pathPart);
      if (generatedDir && (dest === generatedDir || dest.startsWith(generatedDir + '/'))) continue;
      if (!existsSync(dest)) {
        problems.push(`${where}: broken link ${target}: ${relative(root, dest)} does not exist`);
        continue;
      }
      if (anchor !== undefined && anchor !== '' && dest.endsWith('.md') && !anchorsOf(dest).has(anchor)) {
        problems.push(`${where}: broken anchor ${target}: ${relative(root, dest)} has no heading or id "${anchor}"`);
      }
    }
  }
  return { problems, checked };
}

// ---- API: every public export has a doc comment ----

/** @param {string} typedocPath @param {string} root */
async function checkApi(typedocPath, root) {
  // Loaded only here: the link check needs no TypeScript program.
  const { Application, Logger, LogLevel, TSConfigReader, TypeDocReader } = await import('typedoc');
  // Keeps TypeDoc's messages, marking the validation warnings (notDocumented, invalidLink): those fail the check.
  // Logger.validationWarning counts the warning, then logs it at once.
  class Collector extends Logger {
    /** @type {{ message: string, level: import('typedoc').LogLevel, validation: boolean }[]} */
    messages = [];
    counted = 0;
    /** @param {string} message @param {import('typedoc').LogLevel} level */
    log(message, level) {
      const validation = this.validationWarningCount !== this.counted;
      this.counted = this.validationWarningCount;
      this.messages.push({ message, level, validation });
    }
  }
  const app = await Application.bootstrapWithPlugins(
    {
      options: typedocPath,
      emit: 'none',
      // Only this check fails the run; npm test's typecheck reports type errors.
      skipErrorChecking: true,
      validation: { notExported: false, invalidLink: true, notDocumented: true },
      treatValidationWarningsAsErrors: false,
    },
    [new TypeDocReader(), new TSConfigReader()],
  );
  const collector = new Collector();
  collector.level = LogLevel.Warn;
  app.logger = collector;
  const project = await app.convert();
  if (project) app.validate(project);

  /** @type {string[]} */
  const problems = [];
  let undocumented = 0;
  for (const { message, level, validation } of collector.messages) {
    if (level !== LogLevel.Error && !validation) continue;
    // "team.Team.agent (CallSignature), defined in troupe/src/team/define.ts, does not have any documentation"
    const missing = /^(.+?) \((\w+)\), defined in (?:[^/]+\/)?(.+?), does not have any documentation$/.exec(message);
    if (missing) {
      undocumented++;
      const [, name, kind, file] = missing;
      problems.push(
        `${file}: ${name} (${kind === 'CallSignature' ? 'function' : kind}) is exported without a doc comment`,
      );
    } else {
      problems.push(`${relative(root, typedocPath)}: ${message}`);
    }
  }
  if (!project)
    problems.push(
      `${relative(root, typedocPath)}: TypeDoc could not convert the entry points (see the messages above)`,
    );
  return { problems, undocumented };
}

// ---- main ----

const root = process.cwd();
const options = parseArgs(process.argv.slice(2));
/** @type {string[]} */
const problems = [];
/** @type {string[]} */
const summary = [];

if (options.links) {
  const files = markdownFiles(options.markdown, typedocOut(options.typedoc));
  const links = checkLinks(files, typedocOut(options.typedoc), root);
  problems.push(...links.problems);
  summary.push(`${files.length} Markdown files, ${links.checked} relative links`);
}
if (options.api) {
  if (!existsSync(options.typedoc)) usage(`no TypeDoc config at ${options.typedoc}`);
  const api = await checkApi(resolve(options.typedoc), root);
  problems.push(...api.problems);
  summary.push(
    api.undocumented === 0
      ? 'every public export documented'
      : `public exports without a doc comment: ${api.undocumented}`,
  );
}

if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  console.error(`docs:check: ${problems.length} problem${problems.length === 1 ? '' : 's'} (${summary.join('; ')})`);
  process.exit(1);
}
console.log(`docs:check: ok (${summary.join('; ')})`);
