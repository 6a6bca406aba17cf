// The CLI's error classes, in a module with no imports, so that the command line's start (--help, a bad command)
// loads nothing heavy. core/formats.ts re-exports InputError; core/optional.ts defines MissingDependencyError.

/** Bad input: the CLI prints the message on one line and exits with code 2. */
export class InputError extends Error {
  override name = 'InputError';
}

/** The environment failed (disk, permissions, a locked report folder): the CLI names the path and exits with code 3. */
export class EnvironmentError extends Error {
  override name = 'EnvironmentError';
  constructor(message: string, readonly path?: string, readonly code?: string) {
    super(message);
  }
}
