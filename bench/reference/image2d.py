"""fprinciple.image-2d in NumPy float64 (experiments/fprinciple/image2d.ts run, CI tier): per replicate a 2-32-32-1 tanh
MLP from pixel coordinates to grey level of the 14×14 digit, full-batch Adam, and at every recorded step the relative
2-D DFT error per radial band (np.fft.fft2; the suite's dft2d is the same transform by direct sums)."""
from common import main, mlp_params, np, train_tanh_adam


def compute(task):
    rows, cols = task["rows"], task["cols"]
    X = np.array(task["X"], dtype=np.float64).reshape(rows * cols, 2)
    y = np.array(task["pixels"], dtype=np.float64)
    Y = y.reshape(-1, 1)
    F = np.fft.fft2(y.reshape(rows, cols))
    wrap = lambda k, n: np.where(k <= n / 2, k, k - n)
    a = wrap(np.arange(rows), rows)[:, None]
    b = wrap(np.arange(cols), cols)[None, :]
    radial = np.hypot(a, b)
    edges = task["edges"]
    masks = [(radial <= edges[i + 1]) & ((radial > edges[i]) | ((i == 0) & (radial >= edges[0]))) for i in range(len(edges) - 1)]
    den = [float(np.sum(np.abs(F[mk]) ** 2)) for mk in masks]
    out = []
    for net in task["nets"]:
        err = []
        losses = []

        def rec(t, loss, f):
            losses.append(loss)
            D = np.abs(np.fft.fft2(f.reshape(rows, cols)) - F) ** 2
            err.append([float(np.sqrt(np.sum(D[mk]) / dn)) for mk, dn in zip(masks, den)])

        train_tanh_adam(mlp_params(net), X, Y, task["lr"], task["steps"], task["recordEvery"], rec)
        out.append({"finalLoss": losses[-1], "err": err})
    return out


main(compute)
