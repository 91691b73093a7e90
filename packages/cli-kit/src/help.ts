import {
  type CommandSpec,
  type FlagSection,
  type FlagSpec,
  type Flags,
  isGroup,
  type ProgramSpec,
  type SubcommandSpec,
} from './spec';

/** Every command takes -h/--help; --help lists it last. */
export const HELP_FLAG: FlagSpec = { type: 'boolean', description: 'show this help', short: 'h' };

/** Help wraps descriptions to this many columns. */
const WIDTH = 100;
/** A left column wider than this puts its description on the next line. */
const MAX_LEFT = 44;

/** A space that wrapping must not break at (between `env` and the variable's name). */
const GLUE = '\u0000';

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(' ')) {
      if (line !== '' && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === '' ? word : `${line} ${word}`;
    }
    lines.push(line);
  }
  return lines.map((line) => line.replaceAll(GLUE, ' '));
}

/** Two columns, indented by two: the left padded to the widest (up to MAX_LEFT), the right wrapped. */
export function columns(rows: ReadonlyArray<readonly [string, string]>, leftWidth?: number): string[] {
  const width = leftWidth ?? Math.min(MAX_LEFT, Math.max(0, ...rows.map(([left]) => left.length)));
  const right = Math.max(30, WIDTH - 2 - width - 2);
  const pad = ' '.repeat(2 + width + 2);
  const out: string[] = [];
  for (const [left, description] of rows) {
    const text = wrap(description, right);
    if (left.length > width) {
      out.push(`  ${left}`);
      out.push(...text.filter((line) => line !== '').map((line) => `${pad}${line}`));
      continue;
    }
    const [first = '', ...rest] = text;
    out.push(`  ${left.padEnd(width)}  ${first}`.trimEnd());
    out.push(...rest.map((line) => `${pad}${line}`));
  }
  return out;
}

export function flagLabel(name: string, flag: FlagSpec): string {
  const value = flag.type === 'string' ? ` ${flag.value ?? '<value>'}` : '';
  return `${flag.short ? `-${flag.short}, ` : '    '}--${name}${value}`;
}

function flagDescription(flag: FlagSpec): string {
  const facts = [
    ...(flag.default !== undefined ? [`default${GLUE}${flag.default}`] : []),
    ...(flag.env !== undefined ? [`env${GLUE}${flag.env}`] : []),
    ...(flag.multiple ? ['may be repeated'] : []),
  ];
  return facts.length > 0 ? `${flag.description} (${facts.join('; ')})` : flag.description;
}

const flagRows = (flags: Flags): Array<[string, string]> =>
  Object.entries(flags).map(([name, flag]) => [flagLabel(name, flag), flagDescription(flag)]);

/** A widths-aligned block per section; `-h, --help` closes the last one. */
function flagBlocks(sections: ReadonlyArray<FlagSection>): string[] {
  const withHelp = sections.map((section, i) =>
    i === sections.length - 1 ? { ...section, flags: { ...section.flags, help: HELP_FLAG } } : section,
  );
  const labels = withHelp.flatMap((s) => flagRows(s.flags).map(([left]) => left.length));
  const width = Math.min(MAX_LEFT, Math.max(0, ...labels));
  const out: string[] = [];
  for (const [i, section] of withHelp.entries()) {
    if (i > 0) out.push('');
    out.push(section.heading.endsWith(':') ? section.heading : `${section.heading}:`);
    out.push(...(section.intro ?? []).map((line) => `  ${line}`));
    out.push(...columns(flagRows(section.flags), width));
  }
  return out;
}

const notes = (lines: readonly string[] | undefined) => (lines && lines.length > 0 ? ['', ...lines] : []);

/** Renders a command's `--help`. */
export function helpText(spec: CommandSpec): string {
  return [
    `Usage: ${spec.usage}`,
    '',
    ...wrap(spec.summary, WIDTH),
    '',
    ...flagBlocks([{ heading: 'Options', flags: spec.flags }, ...(spec.sections ?? [])]),
    ...notes(spec.notes),
  ].join('\n');
}

/** A command's forms: each a way to call it, after the program's name and any group's word. */
const formsOf = (s: SubcommandSpec) => (typeof s.synopsis === 'string' ? [s.synopsis] : s.synopsis);

/** Every command of a program with its words, e.g. `[['failures', 'list'], spec]`. */
export function commandsOf(program: ProgramSpec): Array<[string[], SubcommandSpec]> {
  return Object.entries(program.commands).flatMap(
    ([name, node]): Array<[string[], SubcommandSpec]> =>
      isGroup(node)
        ? Object.entries(node.commands).map(([sub, spec]) => [[name, sub], spec])
        : [[[name], node]],
  );
}

/** Renders a program's `--help`: its commands, then the flags they all take. */
export function programHelp(program: ProgramSpec): string {
  const rows: Array<[string, string]> = [];
  for (const [words, spec] of commandsOf(program)) {
    const group = words
      .slice(0, -1)
      .map((w) => `${w} `)
      .join('');
    const [first = '', ...more] = formsOf(spec);
    rows.push([`${group}${first}`, spec.summary]);
    for (const form of more) rows.push([`${group}${form}`, '']);
  }
  const shared = program.shared ?? { heading: 'Options', flags: {} };
  return [
    `Usage: ${program.name} <command> [options]`,
    ...(program.summary ? ['', ...wrap(program.summary, WIDTH)] : []),
    '',
    'Commands:',
    ...columns(rows),
    '',
    ...flagBlocks([shared]),
    ...notes(program.notes),
  ].join('\n');
}

/** Renders one command's `--help`: its own flags, then the program's shared ones. */
export function subcommandHelp(program: ProgramSpec, words: readonly string[], spec: SubcommandSpec): string {
  const group = words
    .slice(0, -1)
    .map((w) => `${w} `)
    .join('');
  const usage = formsOf(spec).map((form) => `${program.name} ${group}${form}`);
  const sections: FlagSection[] = [
    ...(spec.flags && Object.keys(spec.flags).length > 0 ? [{ heading: 'Options', flags: spec.flags }] : []),
    program.shared ?? { heading: 'Options', flags: {} },
  ];
  return [
    `Usage: ${usage[0] ?? program.name}`,
    ...usage.slice(1).map((line) => `       ${line}`),
    '',
    ...wrap(spec.summary, WIDTH),
    '',
    ...flagBlocks(sections),
    ...notes(program.notes),
  ].join('\n');
}
