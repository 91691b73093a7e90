import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VARIABLES, type VariableScope, variablesOf } from '../src';

// docs/configuration.md shows one table per scope, each under a line "Scope `<scope>`: ...".
const DOC_PATH = join(__dirname, '..', '..', '..', 'docs', 'configuration.md');
const SCOPES: readonly VariableScope[] = ['deploy', 'function', 'local', 'tools'];

interface Row {
  name: string;
  default: string;
  meaning: string;
}

/** Splits a table row on the pipes Markdown does not escape, and unescapes each cell. */
function cells(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\(.)/g, '$1'));
}

/** The documented rows by scope, in their order on the page. */
function documentedRows(markdown: string): Map<string, Row[]> {
  const byScope = new Map<string, Row[]>();
  let rows: Row[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('#')) rows = undefined;
    const scope = /^Scope `([a-z]+)`/.exec(line)?.[1];
    if (scope !== undefined) {
      expect(byScope.has(scope)).toBe(false);
      rows = [];
      byScope.set(scope, rows);
    }
    const [name, def, meaning, ...rest] = line.startsWith('| `') ? cells(line) : [];
    if (rows === undefined || name === undefined) continue;
    expect(rest).toEqual([]);
    rows.push({ name: name.replace(/^`(.*)`$/, '$1'), default: def ?? '', meaning: meaning ?? '' });
  }
  return byScope;
}

describe('docs/configuration.md', () => {
  const documented = documentedRows(readFileSync(DOC_PATH, 'utf8'));

  it('has one table for each scope, and no other', () => {
    expect([...documented.keys()]).toEqual(SCOPES);
  });

  it.each(SCOPES)(
    'lists exactly the %s variables of VARIABLES, with their defaults and meanings',
    (scope) => {
      const expected = variablesOf(scope).map((name) => ({
        name,
        default: VARIABLES[name].default,
        meaning: VARIABLES[name].meaning,
      }));

      expect(documented.get(scope)).toEqual(expected);
    },
  );
});
