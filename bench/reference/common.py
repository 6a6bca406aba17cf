"""Shared plumbing of the NumPy float64 reference scripts (bench/side-by-side.ts runs them).

Each script reads a task JSON written by the suite (the experiment's config, data and seeded initial parameters, so
both sides compute the same trajectory), times only its computation (wall: time.perf_counter; CPU: time.process_time)
and writes {"seconds": ..., "cpuSeconds": ..., "results": ...}. Single-threaded: the BLAS thread counts are pinned to 1 before NumPy is imported,
so the comparison is one core against one core (the suite's JavaScript runs on one thread).
"""
import json
import os
import sys
import time

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import numpy as np  # noqa: E402  (after the thread pins)


def main(compute):
    """python3 SCRIPT TASK.json OUT.json: runs compute(task) under a timer and writes the results."""
    if len(sys.argv) != 3:
        sys.exit(f"usage: python3 {sys.argv[0]} TASK.json OUT.json")
    with open(sys.argv[1]) as f:
        task = json.load(f)
    t0, c0 = time.perf_counter(), time.process_time()
    results = compute(task)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    with open(sys.argv[2], "w") as f:
        json.dump({"seconds": seconds, "cpuSeconds": cpu, "numpy": np.__version__, "results": results}, f)


def mlp_params(net):
    """[(W, b)] from the suite's mlp-v1 layers: W is nIn×nOut row-major."""
    return [(np.array(l["W"], dtype=np.float64).reshape(l["nIn"], l["nOut"]), np.array(l["b"], dtype=np.float64)) for l in net["layers"]]


def train_tanh_adam(params, X, Y, lr, steps, record_every, on_record, b1=0.9, b2=0.999, eps=1e-7):
    """Full-batch Adam on L = (1/2n)·Σ(f − y)² for a tanh MLP with a linear last layer (standard parameterization),
    as core/engine/reference.ts trainReference: record (step, loss, outputs) before the update at every
    record_every-th step and the last. Adam as Kingma & Ba Algorithm 1 with TensorFlow.js's epsilon 1e-7."""
    n = X.shape[0]
    L = len(params)
    flat = [p for Wb in params for p in Wb]
    m = [np.zeros_like(p) for p in flat]
    v = [np.zeros_like(p) for p in flat]
    grads = [np.empty_like(p) for p in flat]
    for t in range(steps + 1):
        hs = [X]
        h = X
        for l, (W, b) in enumerate(params):
            z = h @ W
            z += b
            if l < L - 1:
                h = np.tanh(z)
                hs.append(h)
        r = z - Y
        loss = float(np.dot(r.ravel(), r.ravel())) / (2 * n)
        if t % record_every == 0 or t == steps or not np.isfinite(loss):
            on_record(t, loss, z[:, 0])
        if t == steps or not np.isfinite(loss):
            break
        d = r / n
        for l in range(L - 1, -1, -1):
            W = params[l][0]
            np.matmul(hs[l].T, d, out=grads[2 * l])
            np.sum(d, axis=0, out=grads[2 * l + 1])
            if l > 0:
                hl = hs[l]
                d = (d @ W.T) * (1 - hl * hl)
        c1 = 1 - b1 ** (t + 1)
        c2 = 1 - b2 ** (t + 1)
        for p, g, mi, vi in zip(flat, grads, m, v):
            mi *= b1
            mi += (1 - b1) * g
            vi *= b2
            vi += (1 - b2) * (g * g)
            p -= (lr * (mi / c1)) / (np.sqrt(vi / c2) + eps)
