"""phase-diagram.regimes in NumPy float64 (experiments/overparam/phase-diagram.ts run with theory/phase-diagram.ts
trainGd, CI tier): per regime, replicate and width, f = (1/α)Σ a_k ReLU(w_k·x̃) on the four 1-D points (bias
absorbed), full-batch GD from the suite's seeded (a, w) until R_S ≤ tol or the step budget, restarting from the
initial point at half the rate on a blow-up (loss above 10·L_0), as the authors' safeguard. Results: per run the
steps taken, the final loss and RD = ‖w(T) − w(0)‖/‖w(0)‖. (The orientation statistics the claim also computes
from the final weights are a few array passes per run and left out.)"""
from common import main, np


def gd(a, w, xt, y, alpha, eta, steps, tol, blow_up):
    n = len(y)
    c = 1 / (n * alpha)
    for t in range(steps + 1):
        z = w @ xt.T  # m×n
        hz = np.maximum(z, 0)
        r = (a @ hz) / alpha - y
        loss = float(r @ r) / (2 * n)
        if not loss <= blow_up:
            return np.nan, t
        if t == steps or loss <= tol:
            return loss, t
        ga = hz @ r
        gw = ((z > 0) * r[None, :]) @ xt  # Σ_i r_i·1[z_ki > 0]·x̃_i
        w -= (eta * c) * a[:, None] * gw
        a -= (eta * c) * ga


def compute(task):
    xt = np.array(task["xt"], dtype=np.float64).reshape(task["n"], task["D"])
    y = np.array(task["y"], dtype=np.float64)
    out = []
    for run in task["runs"]:
        a0 = np.array(run["a"], dtype=np.float64)
        w0 = np.array(run["w"], dtype=np.float64).reshape(len(a0), task["D"])
        alpha = run["alpha"]
        hz0 = np.maximum(w0 @ xt.T, 0)
        r0 = (a0 @ hz0) / alpha - y
        loss0 = float(r0 @ r0) / (2 * len(y))
        eta = run["eta"]
        res = {"steps": 0, "finalLoss": None, "rd": 0.0, "restarts": 31}
        for restarts in range(31):
            a, w = a0.copy(), w0.copy()
            loss, steps = gd(a, w, xt, y, alpha, eta, task["steps"], task["tol"], 10 * loss0)
            if np.isfinite(loss):
                res = {"steps": steps, "finalLoss": loss, "rd": float(np.linalg.norm(w - w0) / np.linalg.norm(w0)), "restarts": restarts}
                break
            eta /= 2
        out.append(res)
    return out


main(compute)
