"""linearization.width-scaling's ladder in NumPy float64 (experiments/linearization/wide-run.ts runWide, CI tier): per
replicate and width, a d-n-1 tanh network in the NTK parameterization (the suite's seeded prefix weights) trained by
full-batch GD on (1/2n)‖αf − y‖² (as GD on f with targets y/α), beside the closed-form linearization around
initialization (empirical NTK Θ_0, its eigendecomposition, (1 − ηλ/n)^t factors); at every recorded step the RMSE
between the network and the linear model on train and test points; at the end the relative changes of W1, v and Θ."""
from common import main, np


def ntk(X1, X2, W1, b1, v, s1w, s1b, s2w, s2b):
    """Θ(X1, X2) = (Δ1 Δ1'ᵀ)⊙(s1w²·X1X2ᵀ + s1b²) + s2w²·H1H1'ᵀ + s2b² (theory/ntk.ts for a d-n-1 net)."""
    def factors(X):
        z = s1w * (X @ W1) + s1b * b1
        h = np.tanh(z)
        return h, s2w * v[None, :] * (1 - h * h)
    h1, d1 = factors(X1)
    h2, d2 = (h1, d1) if X2 is X1 else factors(X2)
    return (d1 @ d2.T) * (s1w * s1w * (X1 @ X2.T) + s1b * s1b) + (s2w * s2w * (h1 @ h2.T) + s2b * s2b)


def one_run(task, data, net, alpha):
    X, Y, Xt = data
    n = X.shape[0]
    d = X.shape[1]
    W1 = np.array(net["W1"], dtype=np.float64).reshape(d, -1)
    w = W1.shape[1]
    b1 = np.array(net["b1"], dtype=np.float64)
    v = np.array(net["v"], dtype=np.float64)
    c = float(net["c"])
    sw, sb = task["sigmaW"], task["sigmaB"]
    s1w, s1b, s2w, s2b = sw / np.sqrt(d), sb, sw / np.sqrt(w), sb
    eta, steps, every = task["eta"], task["steps"], task["recordEvery"]
    W10, v0 = W1.copy(), v.copy()
    target = Y / alpha

    def fwd(Xa):
        h = np.tanh(s1w * (Xa @ W1) + s1b * b1)
        return h, s2w * (h @ v) + s2b * c

    theta0 = ntk(X, X, W1, b1, v, s1w, s1b, s2w, s2b)
    theta0t = ntk(Xt, X, W1, b1, v, s1w, s1b, s2w, s2b)
    f0 = fwd(X)[1]
    f0t = fwd(Xt)[1]
    lam, V = np.linalg.eigh(0.5 * (theta0 + theta0.T))
    lam = np.maximum(lam, 0)
    r0e = V.T @ (f0 - target)
    x = eta * lam / n

    def lin_train(t):
        return target + V @ (r0e * (1 - x) ** t)

    def lin_test(t):
        with np.errstate(divide="ignore", invalid="ignore"):
            one_minus = np.where(x < 1, -np.expm1(t * np.log1p(-np.minimum(x, 1 - 1e-300))), 1 - (1 - x) ** t)
            fit = np.where((x * t < 1e-300) | (lam == 0), eta * t / n, one_minus / np.where(lam == 0, 1, lam))
        return f0t - theta0t @ (V @ (r0e * fit))

    sup = sup_tr = sup_te = 0.0
    rmse_end = np.nan
    loss0 = loss_end = np.nan
    diverged = None
    for t in range(steps + 1):
        h, f = fwd(X)
        loss = float(np.sum((alpha * f - Y) ** 2)) / (2 * n)
        if not np.isfinite(loss):
            diverged = t
            break
        if t == 0:
            loss0 = loss
        if t % every == 0 or t == steps:
            ft = fwd(Xt)[1]
            a_tr = np.sum((alpha * (f - lin_train(t))) ** 2)
            a_te = np.sum((alpha * (ft - lin_test(t))) ** 2)
            sup_tr = max(sup_tr, np.sqrt(a_tr / n))
            sup_te = max(sup_te, np.sqrt(a_te / len(ft)))
            rmse_end = np.sqrt((a_tr + a_te) / (n + len(ft)))
            sup = max(sup, rmse_end)
        loss_end = loss
        if t == steps:
            break
        r = (f - target) / n
        delta = (r * s2w)[:, None] * v[None, :] * (1 - h * h)
        gv = s2w * (h.T @ r)
        gc = s2b * np.sum(r)
        gW = X.T @ delta
        gb = delta.sum(axis=0)
        v -= eta * gv
        c -= eta * gc
        W1 -= eta * s1w * gW
        b1 -= eta * s1b * gb
    theta_end = ntk(X, X, W1, b1, v, s1w, s1b, s2w, s2b)
    rel = lambda now, then: float(np.linalg.norm(now - then) / np.linalg.norm(then))
    return {"width": w, "supRmse": float(sup), "supRmseTrain": float(sup_tr), "supRmseTest": float(sup_te), "rmseEnd": float(rmse_end),
            "loss0": loss0, "lossEnd": loss_end, "divergedAt": diverged,
            "relDeltaW1": rel(W1, W10), "relDeltaV": rel(v, v0), "relDeltaNtk": rel(theta_end, theta0)}


def compute(task):
    out = []
    for rep in task["replicates"]:
        d = task["d"]
        X = np.array(rep["X"], dtype=np.float64).reshape(-1, d)
        Y = np.array(rep["Y"], dtype=np.float64)
        Xt = np.array(rep["Xtest"], dtype=np.float64).reshape(-1, d)
        out.append([one_run(task, (X, Y, Xt), net, alpha) for net, alpha in zip(rep["nets"], rep["alphas"])])
    return out


main(compute)
