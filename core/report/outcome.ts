// One claim's outcome: run, judge, render its figures (through the result cache when it is on). What a report worker
// does per claim; kept apart from the report assembly (generate.ts) so a worker loads only this, the claims and the
// renderer, never the report's schema validator or writer.
import type { AnyClaim, FigureSpec, Status, Tier } from '../claim.ts';
import { loadClaims } from '../load-claims.ts';
import { runClaim, type ClaimResult } from '../runner.ts';
import { cacheDir, readCached, writeCached, type Outcome } from './cache.ts';
import { renderSvg, specKey } from './figures.ts';
import { trace } from './trace.ts';

/** How a claim's figures come back: rendered to SVG (the default), or as their specs to render later (renderOutcomes). */
export interface RenderOptions {
  render?: boolean;
}

export async function runAndRender(claim: AnyClaim, tier: Tier, masterSeed: number, onProgress?: (done: number, total: number) => void, opts: RenderOptions = {}): Promise<Outcome> {
  let r: ClaimResult;
  try {
    r = await runClaim(claim, { tier, masterSeed, onProgress });
  } catch (e) {
    // A crash is reported, not hidden: the verdict is inconclusive with the error, and `--check` flags it.
    const message = (e as Error).message.split('\n')[0] ?? String(e);
    return { id: claim.id, verdict: { status: 'inconclusive' as Status, reason: `run failed: ${message}`, metrics: {} }, svgs: {}, durationMs: 0 };
  }
  trace('run-end', { id: claim.id, ms: r.durationMs });
  // Deferred only where JSON carries the specs exactly (as it carries them to the parent), so a later render draws
  // the same bytes; a figure with NaN, -0 or a non-plain value is drawn here as usual.
  if (opts.render === false && Object.values(r.figures).every((f) => specKey(f) === JSON.stringify(f))) {
    const specs = JSON.parse(JSON.stringify(r.figures)) as Record<string, FigureSpec>;
    return { id: claim.id, verdict: JSON.parse(JSON.stringify(r.verdict)) as Outcome['verdict'], svgs: {}, specs, durationMs: r.durationMs };
  }
  const svgs: Record<string, string> = {};
  for (const [name, spec] of Object.entries(r.figures)) svgs[name] = await renderSvg(spec);
  trace('render-end', { id: claim.id, figures: Object.keys(svgs).length });
  // The verdict through JSON, as a worker's outcome travels: the in-process, worker and cached paths give the same
  // values. The SVGs are strings already (JSON gives them back unchanged), so they skip the copy.
  const verdict = JSON.parse(JSON.stringify(r.verdict)) as Outcome['verdict'];
  return { id: claim.id, verdict, svgs, durationMs: r.durationMs };
}

/** runAndRender through the result cache (core/report/cache.ts; a no-op unless DLCLAIMS_CACHE is set). */
export async function runCached(claim: AnyClaim, tier: Tier, masterSeed: number, onProgress?: (done: number, total: number) => void, opts: RenderOptions = {}): Promise<Outcome & { cached?: boolean }> {
  if (!cacheDir()) return runAndRender(claim, tier, masterSeed, onProgress, opts);
  // With the cache on, figures are always rendered: a cache entry is a complete outcome.
  // Records where the built-in claims come from; a claim object not recorded by the loader is never cached.
  await loadClaims({ modules: [], builtins: true });
  const hit = readCached(claim, tier, masterSeed);
  if (hit) return { ...hit, cached: true };
  const o = await runAndRender(claim, tier, masterSeed, onProgress);
  writeCached(claim, tier, masterSeed, o);
  return o;
}

/** Renders the figures of outcomes that came back as specs (in each claim's figure order); others are unchanged. */
export async function renderOutcomes(outcomes: Outcome[]): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for (const o of outcomes) {
    if (!o.specs) {
      out.push(o);
      continue;
    }
    const svgs: Record<string, string> = {};
    for (const [name, spec] of Object.entries(o.specs)) svgs[name] = await renderSvg(spec);
    const { specs: _, ...rest } = o;
    out.push({ ...rest, svgs });
  }
  return out;
}
