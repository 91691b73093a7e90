import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';

/**
 * The docs keep their promises: every relative link in every Markdown file of the repository
 * points at a file that exists (and, with a #fragment into a Markdown file, at a heading it
 * has), the README stays short, and it links every page of docs/.
 */

const README_MAX_LINES = 220;

/** Folders that hold generated, installed or machine-local files, never docs. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  'cdktf.out',
  'dist',
  '.tools',
  '.streamdrop',
  '.state',
  'coverage',
]);

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. */
function repoRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${start}`);
    dir = parent;
  }
  return dir;
}

/** Every file under `root` (posix paths relative to it), skipping SKIPPED_DIRS. */
function walkFiles(root: string, sub = ''): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(join(root, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) files.push(...walkFiles(root, rel));
    } else {
      files.push(rel);
    }
  }
  return files;
}

/**
 * The files a fresh clone would have: git's tracked files plus new ones it does not ignore
 * (so a link to something git-ignored, such as `.streamdrop/local.json`, counts as broken).
 * Outside a git checkout, a walk of the folder.
 */
function repoFiles(root: string): string[] {
  const git = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (git.status !== 0) return walkFiles(root);
  return [...new Set(git.stdout.split('\0').filter(Boolean))].filter((f) => existsSync(join(root, f)));
}

/** The text with fenced code blocks blanked out (line numbers kept), so their contents are not read. */
function withoutCodeBlocks(text: string): string[] {
  const lines = text.split('\n');
  let fence: string | undefined;
  return lines.map((line) => {
    const open = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (fence === undefined) {
      if (open?.[1]) {
        fence = open[1];
        return '';
      }
      return line;
    }
    if (open?.[1] && open[1][0] === fence[0] && open[1].length >= fence.length && line.trim() === open[1]) {
      fence = undefined;
    }
    return '';
  });
}

/** A line with its inline code spans and HTML comments removed. */
const withoutInlineCode = (line: string) =>
  line.replace(/<!--.*?-->/g, '').replace(/(`+)(?:(?!\1)[\s\S])*?\1(?!`)/g, '');

/**
 * GitHub's heading anchor (github-slugger): lower-case, drop everything that is not a letter,
 * mark, number, connector (`_`), hyphen or space, then each space becomes a hyphen.
 */
function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link or image: its text
    .replace(/<[^>]+>/g, '') // inline HTML tags
    .replace(/`/g, '');
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats numbered as GitHub does) and HTML ids. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const add = (base: string) => {
    let candidate = base;
    let n = seen.get(base) ?? 0;
    while (anchors.has(candidate)) candidate = `${base}-${++n}`;
    seen.set(base, n);
    anchors.add(candidate);
  };
  const lines = withoutCodeBlocks(text);
  lines.forEach((line, i) => {
    const atx = /^ {0,3}#{1,6}(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(line);
    if (atx) {
      add(slug((atx[1] ?? '').trim()));
      return;
    }
    const previous = lines[i - 1]?.trim() ?? '';
    const setext = /^ {0,3}(=+|-+)[ \t]*$/.test(line);
    if (
      setext &&
      previous !== '' &&
      !/^([|>*+-]|#|\d+[.)])/.test(previous) &&
      !/^ {0,3}(=+|-+)\s*$/.test(previous)
    ) {
      add(slug(previous));
    }
    for (const m of line.matchAll(/<a\s[^>]*\b(?:id|name)\s*=\s*"([^"]+)"/g)) if (m[1]) anchors.add(m[1]);
  });
  return anchors;
}

interface Link {
  /** 1-based line of the Markdown file. */
  line: number;
  target: string;
}

/** Inline links and images, reference definitions and HTML href/src, outside code. */
function linksOf(text: string): Link[] {
  const links: Link[] = [];
  withoutCodeBlocks(text).forEach((raw, i) => {
    const line = withoutInlineCode(raw);
    const patterns = [
      /!?\[(?:[^[\]]|\[[^[\]]*\])*\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
      /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/g,
      /\b(?:href|src)\s*=\s*"([^"]*)"/g,
    ];
    for (const pattern of patterns) {
      for (const m of line.matchAll(pattern)) {
        const target = m[1]?.replace(/^<(.*)>$/, '$1');
        if (target !== undefined) links.push({ line: i + 1, target });
      }
    }
  });
  return links;
}

/** A link that leaves the repository: a URL scheme (https:, mailto:...) or a protocol-relative URL. */
const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/**
 * Checks every relative link of every Markdown file among `files` (paths relative to `root`).
 * Returns one line per problem: `<file>:<line>: <target> — <what is wrong>`.
 */
function checkLinks(root: string, files: string[]): string[] {
  const fileSet = new Set(files);
  const dirSet = new Set<string>(['']);
  for (const f of files) {
    for (let d = posix.dirname(f); d !== '.' && !dirSet.has(d); d = posix.dirname(d)) dirSet.add(d);
  }
  const anchorCache = new Map<string, Set<string>>();
  const anchorsFor = (file: string) => {
    let anchors = anchorCache.get(file);
    if (!anchors) {
      anchors = anchorsOf(readFileSync(join(root, file), 'utf8'));
      anchorCache.set(file, anchors);
    }
    return anchors;
  };

  const problems: string[] = [];
  for (const file of files.filter((f) => f.endsWith('.md')).sort()) {
    for (const { line, target } of linksOf(readFileSync(join(root, file), 'utf8'))) {
      if (isExternal(target)) continue;
      const where = `${file}:${line}: ${target}`;
      const hash = target.indexOf('#');
      const pathPart = (hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
      const fragment = hash === -1 ? undefined : target.slice(hash + 1);
      let decoded: string;
      try {
        decoded = decodeURIComponent(pathPart);
      } catch {
        problems.push(`${where} — not a valid URL path`);
        continue;
      }
      const resolved =
        decoded === ''
          ? file
          : posix.normalize(
              decoded.startsWith('/') ? decoded.slice(1) : posix.join(posix.dirname(file), decoded),
            );
      const clean = resolved.replace(/\/+$/, '');
      if (clean === '..' || clean.startsWith('../')) {
        problems.push(`${where} — points outside the repository`);
        continue;
      }
      const isFile = fileSet.has(clean);
      if (!isFile && !dirSet.has(clean === '.' ? '' : clean)) {
        problems.push(`${where} — no such file or folder in the repository`);
        continue;
      }
      if (fragment !== undefined && isFile && clean.endsWith('.md')) {
        let anchor = fragment;
        try {
          anchor = decodeURIComponent(fragment);
        } catch {}
        if (!anchorsFor(clean).has(anchor)) problems.push(`${where} — ${clean} has no heading #${anchor}`);
      }
    }
  }
  return problems;
}

const root = repoRoot(__dirname);
const files = repoFiles(root);

describe('the repository docs', () => {
  it('link only to files and headings that exist', () => {
    expect(files.filter((f) => f.endsWith('.md'))).toEqual(
      expect.arrayContaining(['README.md', 'SECURITY.md']),
    );
    expect(checkLinks(root, files)).toEqual([]);
  });

  it(`keep README.md to at most ${README_MAX_LINES} lines`, () => {
    const lines = readFileSync(join(root, 'README.md'), 'utf8').trimEnd().split('\n').length;
    expect(lines).toBeLessThanOrEqual(README_MAX_LINES);
  });

  it('link every page of docs/ from README.md', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const linked = new Set(
      linksOf(readme)
        .map((l) => l.target.split('#')[0] ?? '')
        .map((t) => posix.normalize(t.replace(/^\.\//, ''))),
    );
    const pages = files.filter((f) => /^docs\/[^/]+\.md$/.test(f)).sort();
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.filter((page) => !linked.has(page))).toEqual([]);
  });
});

describe('the link checker', () => {
  let dir: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  const check = () => checkLinks(dir, walkFiles(dir));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'streamdrop-docs-'));
    write('docs/guide.md', '# Guide\n\n## Redrive a failure\n\n## Redrive a failure\n\nText.\n');
    write('src/code.ts', 'export {};\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts links to files, folders, headings, repeated headings and external sites', () => {
    write(
      'README.md',
      [
        '# Readme',
        'See [the guide](docs/guide.md), [a step](docs/guide.md#redrive-a-failure),',
        '[the same step again](./docs/guide.md#redrive-a-failure-1), [code](src/code.ts#L1),',
        '[the source folder](src/), [the top](#readme), [npm](https://www.npmjs.com/) and',
        '[mail](mailto:security@example.com).',
        '',
        '[ref]: docs/guide.md',
      ].join('\n'),
    );
    expect(check()).toEqual([]);
  });

  it('reports a missing file, a missing heading and a link out of the repository, with file and line', () => {
    write(
      'docs/broken.md',
      [
        '# Broken',
        '',
        'A [gone page](../docs/gone.md) and a [bad step](guide.md#no-such-step).',
        '![an image](../img/missing.png) <a href="../../outside.md">out</a>',
        '[ref]: missing.md',
        'And [here](#nowhere).',
      ].join('\n'),
    );
    expect(check()).toEqual([
      'docs/broken.md:3: ../docs/gone.md — no such file or folder in the repository',
      'docs/broken.md:3: guide.md#no-such-step — docs/guide.md has no heading #no-such-step',
      'docs/broken.md:4: ../img/missing.png — no such file or folder in the repository',
      'docs/broken.md:4: ../../outside.md — points outside the repository',
      'docs/broken.md:5: missing.md — no such file or folder in the repository',
      'docs/broken.md:6: #nowhere — docs/broken.md has no heading #nowhere',
    ]);
  });

  it('ignores what sits in code: fenced blocks and inline code spans', () => {
    write(
      'notes.md',
      [
        '# Notes',
        '',
        '```markdown',
        '[not a link](gone.md)',
        '```',
        '',
        'Inline: `[also not](gone.md)`.',
      ].join('\n'),
    );
    expect(check()).toEqual([]);
  });

  it('does not take a heading inside a code block as an anchor', () => {
    write('a.md', ['# A', '', '```', '## Hidden', '```', '', '[link](#hidden)'].join('\n'));
    expect(check()).toEqual(['a.md:7: #hidden — a.md has no heading #hidden']);
  });

  it.each([
    ['Redrive a failure', 'redrive-a-failure'],
    ['`pnpm chaos`: check the promise', 'pnpm-chaos-check-the-promise'],
    ['What the stack creates (and why)', 'what-the-stack-creates-and-why'],
    ['Local gateway and AWS', 'local-gateway-and-aws'],
    ['Retry safely: `Idempotency-Key`', 'retry-safely-idempotency-key'],
    ['A — B', 'a--b'],
    ['`.streamdrop/local.json`', 'streamdroplocaljson'],
    ['Step 1. The [state bucket](x.md)', 'step-1-the-state-bucket'],
    ['POST /uploads', 'post-uploads'],
    ['file_key and s3', 'file_key-and-s3'],
  ])('slugs the heading %j as GitHub does: %j', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  it('numbers repeated headings and reads setext headings and HTML anchors', () => {
    const anchors = anchorsOf(
      '# Top\n## Step\n## Step\nSetext title\n---\n<a id="custom"></a>\n| a |\n| - |\n',
    );
    expect([...anchors].sort()).toEqual(['custom', 'setext-title', 'step', 'step-1', 'top']);
  });
});
