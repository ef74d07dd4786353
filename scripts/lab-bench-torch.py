"""PyTorch's CPU training throughput on the lab network, in wall-clock and in CPU time, for
scripts/lab-bench.ts (docs/lab.md). The network is scripts/fixtures/make_lab_fixtures.py's LabNet (the
same table as src/lab/spec.ts); one step = forward, cross-entropy, backward, SGD Nesterov momentum 0.9
with weight decay 5e-4, BatchNorm in training mode, batch 64 of random 32 x 32 inputs.
    /usr/bin/python3 scripts/lab-bench-torch.py [--threads 1,2] [--configs vanilla,s2d3] [--batches 20]
One JSON line per (config, threads): images per second of wall-clock time and per second of this
process's CPU time (the latter is what a shared, busy machine disturbs least), after 3 warm-up steps."""
import argparse, json, os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'fixtures'))
from make_lab_fixtures import LabNet, parse

ap = argparse.ArgumentParser()
ap.add_argument('--threads', default='1,2')
ap.add_argument('--configs', default='vanilla,s2d3')
ap.add_argument('--batches', type=int, default=20)
ap.add_argument('--width', type=float, default=1.0)
args = ap.parse_args()

for threads in [int(t) for t in args.threads.split(',')]:
    torch.set_num_threads(threads)
    for name in args.configs.split(','):
        s, d = parse(name)
        torch.manual_seed(0)
        net = LabNet(s, d, args.width, 10).train()
        opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
        x = torch.randn(64, 3, 32, 32)
        y = torch.randint(0, 10, (64,))
        for i in range(3 + args.batches):
            if i == 3:
                wall, cpu = time.perf_counter(), time.process_time()
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n = 64 * args.batches
        print(json.dumps({'config': name, 'threads': threads, 'torch': torch.__version__, 'imagesPerSecond': round(n / wall, 1), 'imagesPerCpuSecond': round(n / cpu, 1)}), flush=True)
