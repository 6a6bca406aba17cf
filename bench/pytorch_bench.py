#!/usr/bin/env python3
"""Outside reference timings: PyTorch CPU for the five DESIGN.md bench workloads.

Not part of the suite (nothing in dlclaims imports or runs this). It was run once on the development machine with
Debian's python3-torch (`apt-get install -y python3-torch`, run with /usr/bin/python3) and its output committed as
bench/pytorch-cpu.json, which `dlclaims bench --all` reads to compute ratios.

One step = zero_grad, forward, L = (1/2n)·Σ(f−y)², backward, optimizer step; float32; standard parameterization
(torch.nn.Linear); same widths, activations, optimizers and n as bench/workloads.ts. Per workload and thread count:
warm-up, then `reps` repetitions of a timed block of steps; we report the minimum and the median ms/step over the
repetitions (the machine is shared with other jobs, so the minimum is the least disturbed number).
"""
import json, os, platform, statistics, subprocess, sys, time

WORKLOADS = [  # keep in step with bench/workloads.ts
    ("fp1d", [1, 200, 200, 200, 100, 1], "tanh", "adam", 201),
    ("lfp-wide", [1, 16000, 1], "relu", "sgd", 10),
    ("ntk-1hl", [8, 4096, 1], "relu", "sgd", 128),
    ("deep-1024", [8, 1024, 1024, 1], "relu", "sgd", 128),
    ("mnist-mlp", [784, 400, 200, 10], "relu", "sgd", 1000),
]


def build(widths, act):
    import torch
    layers = []
    for i in range(len(widths) - 1):
        layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
        if i < len(widths) - 2:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers)


def time_workload(widths, act, opt_kind, n, reps, target_s=0.25):
    import torch
    torch.manual_seed(1)
    net = build(widths, act)
    x = torch.randn(n, widths[0])
    y = torch.randn(n, widths[-1])
    opt = torch.optim.Adam(net.parameters(), lr=1e-3) if opt_kind == "adam" else torch.optim.SGD(net.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).sum() / (2 * n)
        loss.backward()
        opt.step()

    for _ in range(10):
        step()
    t0 = time.perf_counter(); step(); one = time.perf_counter() - t0
    block = max(1, int(target_s / max(one, 1e-6)))
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter()
        for _ in range(block):
            step()
        samples.append((time.perf_counter() - t0) * 1000 / block)
    return {"min": min(samples), "median": statistics.median(samples), "reps": reps, "stepsPerRep": block}


def child(threads, reps):
    # One process per thread count, with the BLAS/OpenMP pools sized before torch loads: Debian's torch links
    # OpenBLAS, whose own thread pool otherwise spins against the intra-op pool on a loaded 2-core machine.
    import torch
    torch.set_num_threads(threads)
    res = {name: time_workload(widths, act, opt_kind, n, reps) for name, widths, act, opt_kind, n in WORKLOADS}
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": res}, sys.stdout)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), int(sys.argv[3]))
        return
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    parts = {}
    for t in (1, 2):
        env = dict(os.environ, OMP_NUM_THREADS=str(t), OPENBLAS_NUM_THREADS=str(t), MKL_NUM_THREADS=str(t))
        out = subprocess.run([sys.executable, __file__, "--child", str(t), str(reps)], env=env, check=True, capture_output=True, text=True)
        parts[t] = json.loads(out.stdout)
    out = {
        "what": "PyTorch CPU ms per full-batch training step (float32), outside reference for dlclaims bench",
        "how": "bench/pytorch_bench.py: warm-up 10 steps, then `reps` timed blocks of ~0.25 s; min and median ms/step over blocks; "
               "one process per thread count t in 1, 2 with torch.set_num_threads(t) and OMP/OPENBLAS/MKL_NUM_THREADS=t; "
               "loadAverageAtEnd records how busy the machine was",
        "torch": parts[1]["torch"],
        "loadAverageAtEnd": os.getloadavg(),
        "python": platform.python_version(),
        "machine": platform.processor() or platform.machine(),
        "workloads": {},
    }
    for name, widths, act, opt_kind, n in WORKLOADS:
        out["workloads"][name] = {f"{t}thread": parts[t]["results"][name] for t in (1, 2)}
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
