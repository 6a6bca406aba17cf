// Heavy engines and data sets are optional peer dependencies: a user of the default engine installs none of them.
// They load lazily; a claim or engine that needs one that is absent fails with one clear line (exit 3: environment).
import { createRequire } from 'node:module';

/** A needed optional package is not installed (an environment problem, not bad input): the CLI exits 3. */
export class MissingDependencyError extends Error {
  override name = 'MissingDependencyError';
  constructor(readonly pkg: string, purpose: string) {
    super(`${purpose}: needs the optional package ${pkg}, which is not installed (npm install ${pkg})`);
  }
}

function isNotFound(e: unknown, pkg: string): boolean {
  const err = e as { code?: string; message?: string };
  return (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && String(err.message).includes(pkg);
}

/** `await import(pkg)`, or MissingDependencyError naming the package and what needed it. */
export async function importOptional<T>(pkg: string | string[], purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    for (const p of typeof pkg === 'string' ? [pkg] : pkg) if (isNotFound(e, p)) throw new MissingDependencyError(p, purpose);
    throw e;
  }
}

/** Synchronous `require(pkg)` for CommonJS packages needed inside synchronous code (e.g. the MNIST loader). */
export function requireOptional<T>(pkg: string, purpose: string, from: string = import.meta.url): T {
  try {
    return createRequire(from)(pkg) as T;
  } catch (e) {
    if (isNotFound(e, pkg)) throw new MissingDependencyError(pkg, purpose);
    throw e;
  }
}
