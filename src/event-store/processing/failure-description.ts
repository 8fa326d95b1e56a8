import { relative, sep } from 'node:path';
import { PROJECT_ROOT } from '../../common/project-root.js';
import { fileURLToPath } from 'node:url';

/** A handler failure as it is stored on the event's row, where tenants can read it. */
export interface FailureDescription {
  /** `Name: message`, as the first line of a stack. */
  readonly message: string;
  /** The first stack frame inside this project, with its path relative to the project. */
  readonly at?: string;
}

/**
 * What of an error goes into error_message and event_metadata.handlers.*.error: its message and
 * the first frame inside the project, relative, enough to find the line. The full stack, with
 * absolute paths and library frames, goes to the logs only: stored errors are read by tenants.
 */
export function describeFailure(error: Error): FailureDescription {
  const message = `${error.name}: ${error.message}`;
  const at = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map(projectFrame)
    .find((frame) => frame !== undefined);
  return at === undefined ? { message } : { message, at };
}

/** `at fn (file:///root/x/src/a.ts:1:2)` → `fn (src/a.ts:1:2)`; undefined outside the project. */
function projectFrame(line: string): string | undefined {
  const match = /^\s*at (?:(.*?) \()?(.+?)(?::(\d+):(\d+))?\)?$/.exec(line);
  if (!match) return undefined;
  const [, fn, location, lineNo, column] = match;
  let path = location;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return undefined;
    }
  }
  if (!path.startsWith(PROJECT_ROOT + sep)) return undefined;
  const inProject = relative(PROJECT_ROOT, path);
  if (inProject.split(sep).includes('node_modules')) return undefined;
  const position = lineNo === undefined ? inProject : `${inProject}:${lineNo}:${column}`;
  return fn ? `${fn} (${position})` : position;
}
