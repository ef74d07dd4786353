"""PyTorch's CPU training throughput on the lab network (the same network as src/lab/spec.ts, defined in
scripts/fixtures/make_lab_fixtures.py): batch 64, SGD Nesterov, BN in training mode, random data.
    /usr/bin/python3 scripts/lab-torch-bench.py [threads ...]
Prints one JSON line per (config, threads): images per second over timed batches after warm-up, by the wall
clock and by process CPU time (with 1 thread, the CPU rate is what one core sustains on a shared machine)."""
import json, os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures'))
from make_lab_fixtures import LabNet, parse

def bench(name, threads, batches=20, warm=3):
    torch.set_num_threads(threads)
    s, d = parse(name)
    torch.manual_seed(0)
    net = LabNet(s, d, 1.0, 10).train()
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    x = torch.randn(64, 3, 32, 32)
    y = torch.randint(0, 10, (64,))
    for i in range(warm + batches):
        if i == warm:
            t0 = time.perf_counter()
            c0 = time.process_time()
        opt.zero_grad()
        F.cross_entropy(net(x), y).backward()
        opt.step()
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return {'config': name, 'threads': threads, 'torch': torch.__version__, 'imagesPerSecond': round(64 * batches / dt, 1),
            'imagesPerCpuSecond': round(64 * batches / cpu, 1)}

for t in [int(a) for a in sys.argv[1:]] or [1, 2]:
    for name in ['vanilla', 's2d3']:
        print(json.dumps(bench(name, t)), flush=True)
