export { type ErrorClass, UserError } from './errors';
export {
  booleanFlag,
  type IntegerOptions,
  integerFlag,
  parseInteger,
  stringFlag,
  stringsFlag,
} from './flags';
export { columns, flagLabel, helpText, programHelp, subcommandHelp } from './help';
export { parseCli, parseProgram } from './parse';
export { callerCwd, pathFlag, resolveCallerPath } from './paths';
export { isEntryPoint, step } from './progress';
export { type BarStream, type ProgressBar, progressBar } from './progress-bar';
export { command, program, type RunOptions, reportOf, run } from './run';
export type {
  Args,
  CommandGroup,
  CommandSpec,
  ExitCode,
  FlagSection,
  FlagSpec,
  Flags,
  FlagValue,
  HelpRequest,
  ParsedArgs,
  PositionalSpec,
  ProgramArgs,
  ProgramSpec,
  SubcommandSpec,
} from './spec';
export { type EscapeOptions, escapeControls, printableJson, writeData } from './terminal';
