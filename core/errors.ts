// The CLI's error classes, in a module with no imports, so that the command line's start (--help, a bad command)
// loads nothing heavy. core/formats.ts re-exports InputError; core/optional.ts defines MissingDependencyError.

/** Bad input: the CLI prints the message on one line and exits with code 2. */
export class InputError extends Error {
  override name = 'InputError';
}
