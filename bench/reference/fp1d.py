"""fprinciple.1d in NumPy float64 (experiments/fprinciple/oned.ts run, CI tier): per replicate a 1-32-32-1 tanh MLP
(the suite's seeded initial weights), full-batch Adam on sin x + sin 3x + sin 5x at 128 grid points, and at every
recorded step ΔF(k) = |ĥ_k − f̂_k|/|f̂_k| at the target's peaks (the DFT at those frequencies, as dftAt).
Results: per replicate the final loss and the ΔF curves."""
from common import main, mlp_params, np, train_tanh_adam


def compute(task):
    x = np.array(task["x"], dtype=np.float64)
    y = np.array(task["y"], dtype=np.float64)
    N = len(x)
    peaks = task["peaks"]
    E = np.exp(-2j * np.pi * np.outer(peaks, np.arange(N)) / N)  # DFT rows at the peak frequencies
    fhat = E @ y
    X = x.reshape(N, 1)
    Y = y.reshape(N, 1)
    out = []
    for net in task["nets"]:
        err = []
        losses = []

        def rec(t, loss, f):
            losses.append(loss)
            err.append((np.abs(E @ f - fhat) / np.abs(fhat)).tolist())

        train_tanh_adam(mlp_params(net), X, Y, task["lr"], task["steps"], task["recordEvery"], rec)
        out.append({"finalLoss": losses[-1], "err": err})
    return out


main(compute)
