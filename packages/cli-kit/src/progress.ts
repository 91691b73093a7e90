import { basename } from 'node:path';

/** Prints a progress line and returns a function that prints how long the step took. */
export function step(label: string): (detail?: string) => void {
  const started = performance.now();
  console.log(`> ${label}...`);
  return (detail) => {
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`  ${label}: done in ${seconds} s${detail ? ` (${detail})` : ''}`);
  };
}

/** True when `name` (e.g. `build`) is the script node was started with, not a module importing it. */
export function isEntryPoint(name: string, argv1: string | undefined = process.argv[1]): boolean {
  return argv1 !== undefined && basename(argv1).replace(/\.[cm]?[jt]s$/, '') === name;
}
