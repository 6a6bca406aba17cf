// The one error path of the command line. Every failure ends here and becomes one line on stderr and an exit code:
//   0 ok · 1 a check failed (an unexpected verdict, a regression) · 2 bad input (the line names the option or field)
//   3 the environment failed (disk full, permissions, read-only file system, EBUSY, a path that is not a folder, a
//     report folder locked by another run): the line names the path and the errno
//   4 an internal error (a bug: please report it with DLCLAIMS_DEBUG=1 set, which adds the stack trace)
// EPIPE on stdout (`dlclaims list | head`) ends the process quietly with code 0. Nothing from the input reaches the
// terminal raw: control characters, bidirectional overrides and byte-order marks are shown as \uXXXX escapes.
import { EnvironmentError, InputError } from '../core/errors.ts';
import { MissingDependencyError } from '../core/optional.ts';

export const EXIT = { ok: 0, checkFailed: 1, badInput: 2, environment: 3, internal: 4 } as const;

const ERRNO_TEXT: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EBUSY: 'resource busy',
  ENOTDIR: 'a path component is not a folder',
  EISDIR: 'is a folder',
  EEXIST: 'already exists',
  ENOENT: 'no such file or folder',
  ENOTEMPTY: 'folder not empty',
  EIO: 'input/output error',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many symbolic links',
  EXDEV: 'cross-device link',
  ETXTBSY: 'text file busy',
  EAGAIN: 'resource temporarily unavailable',
  ENOMEM: 'out of memory',
  EFBIG: 'file too large',
};

/** Escapes what a terminal would interpret: C0/C1 controls, DEL, bidi overrides, zero-width characters, BOM. */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** One printable line, at most `max` characters. */
export function oneLine(s: string, max = 2000): string {
  const line = printable(s.replace(/\s*[\r\n]+\s*/g, ' ')).trim();
  return line.length > max ? line.slice(0, max) + '…' : line;
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && /^E[A-Z0-9]+$/.test((e as NodeJS.ErrnoException).code!) && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/** The exit code and the one line (without the "dlclaims: " prefix) for a thrown value. */
export function classify(e: unknown): { code: number; line: string } {
  if (e instanceof InputError) return { code: EXIT.badInput, line: e.message };
  if (e instanceof EnvironmentError || e instanceof MissingDependencyError) return { code: EXIT.environment, line: e.message };
  if (isSystemError(e)) {
    const code = e.code!;
    const dest = (e as NodeJS.ErrnoException & { dest?: string }).dest;
    const where = e.path ? `${e.path}${dest ? ` → ${dest}` : ''}` : '(no path)';
    return { code: EXIT.environment, line: `${e.syscall} ${where}: ${code} (${ERRNO_TEXT[code] ?? 'system error'})` };
  }
  if (e instanceof RangeError && /Invalid (string|typed array|array) length|Array buffer allocation failed/.test(e.message)) {
    return { code: EXIT.environment, line: `out of memory: the result is too large to hold (${e.message}); give fewer points` };
  }
  const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return { code: EXIT.internal, line: `internal error: ${msg} (a bug; rerun with DLCLAIMS_DEBUG=1 for the stack trace and report it)` };
}

/** Writes the failure's line (and, with DLCLAIMS_DEBUG set, its stack) to stderr; returns the exit code. */
export function reportFailure(e: unknown): number {
  const { code, line } = classify(e);
  let text = `dlclaims: ${oneLine(line)}\n`;
  if (process.env.DLCLAIMS_DEBUG && e instanceof Error && e.stack) text += e.stack + '\n';
  try {
    process.stderr.write(text);
  } catch {
    // stderr gone too: the exit code still says what happened
  }
  return code;
}

let installed = false;

/**
 * Routes what escapes main() (an EPIPE on stdout, an error thrown from a callback) to the same one-line path.
 * Call once at start-up.
 */
export function installErrorPath(): void {
  if (installed) return;
  installed = true;
  const onStreamError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') process.exit(EXIT.ok); // the reader left: quietly done
    process.exit(reportFailure(err));
  };
  process.stdout.on('error', onStreamError);
  process.stderr.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? EXIT.ok : EXIT.environment));
  process.on('uncaughtException', (err: NodeJS.ErrnoException) => {
    if (err?.code === 'EPIPE') process.exit(EXIT.ok);
    process.exit(reportFailure(err));
  });
  process.on('unhandledRejection', (err) => process.exit(reportFailure(err)));
}
