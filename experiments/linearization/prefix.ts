// Width ladders from one draw: the width-n network is the first n units of every hidden layer of the widest one.
// In the NTK parameterization all weights are N(0, 1) whatever the width, so each prefix is an exact draw of a
// width-n network; sharing the draw across widths (common random numbers) makes each replicate's fitted exponent
// far less noisy, and replicates stay independent for the interval.
import type { Mlp } from '../../theory/mlp.ts';

/** A copy of `big` keeping the first hiddenWidths[l] units of hidden layer l (inputs and outputs unchanged). */
export function prefixMlp(big: Mlp, hiddenWidths: readonly number[]): Mlp {
  if (hiddenWidths.length !== big.layers.length - 1) throw new Error(`need ${big.layers.length - 1} hidden widths, got ${hiddenWidths.length}`);
  const layers = big.layers.map((layer, l) => {
    const nIn = l === 0 ? layer.nIn : hiddenWidths[l - 1]!;
    const nOut = l === big.layers.length - 1 ? layer.nOut : hiddenWidths[l]!;
    if (nIn > layer.nIn || nOut > layer.nOut) throw new Error(`layer ${l}: ${nIn}×${nOut} does not fit in ${layer.nIn}×${layer.nOut}`);
    const W = new Float64Array(nIn * nOut);
    for (let k = 0; k < nIn; k++) W.set(layer.W.subarray(k * layer.nOut, k * layer.nOut + nOut), k * nOut);
    return { nIn, nOut, W, b: layer.b.slice(0, nOut) };
  });
  return { ...big, layers };
}
