"""maxmargin.direction in NumPy float64 (experiments/maxmargin/direction.ts runDirection, CI tier): on each random
separable data set (the suite's seeded Z = y·x), full-batch GD from w = 0 on the logistic loss with η = 1/σ_max(Z)²,
and at log-spaced times the angle to the hard-margin SVM direction ŵ and ‖w(t) − ŵ log t‖. The data sets are
stepped together as one batched array (S×N×d), the natural NumPy form; ŵ and η come from the suite (the SVM solve
and σ_max are under 1% of the suite's time here). Divergence is checked at the recorded times."""
from common import main, np


def compute(task):
    S, N, d = task["sets"], task["n"], task["d"]
    Z = np.array(task["Z"], dtype=np.float64).reshape(S, N, d)
    eta = np.array(task["eta"], dtype=np.float64)[:, None]
    what = np.array(task["svmW"], dtype=np.float64).reshape(S, d)
    times = sorted(set(task["times"]))
    T = task["steps"]
    W = np.zeros((S, d))
    snaps = {"times": [], "angles": [], "residualNorms": []}
    nxt = 0
    wn = np.linalg.norm(what, axis=1)

    def snap(t):
        nw = np.linalg.norm(W, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            u, v = W / nw[:, None], what / wn[:, None]  # angle = 2·atan2(‖u − v‖, ‖u + v‖), as theory/maxmargin.ts
            ang = 2 * np.arctan2(np.linalg.norm(u - v, axis=1), np.linalg.norm(u + v, axis=1))
        ang = np.where(nw > 0, ang, np.pi / 2)
        snaps["times"].append(t)
        snaps["angles"].append(ang.tolist())
        snaps["residualNorms"].append(np.linalg.norm(W - what * np.log(t), axis=1).tolist() if t > 0 else wn.tolist())

    if times and times[0] == 0:
        snap(0)
        nxt = 1
    Zt = np.ascontiguousarray(Z.transpose(0, 2, 1))  # S×d×N
    np.seterr(over="ignore")  # exp(u) overflows to inf for large margins: ℓ'(u) = −1/(1 + inf) = −0, as in the suite
    for t in range(1, T + 1):
        u = np.matmul(Z, W[:, :, None])[:, :, 0]  # S×N margins z_n·w
        c = -1 / (1 + np.exp(u))  # ℓ'(u) for the logistic loss
        W -= eta * np.matmul(Zt, c[:, :, None])[:, :, 0]
        if nxt < len(times) and times[nxt] == t:
            if not np.all(np.isfinite(W)):
                break
            snap(t)
            nxt += 1
    return snaps


main(compute)
