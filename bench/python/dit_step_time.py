"""Times one DiT training step (forward, MSE on noise, backward, global-norm clip, AdamW) in PyTorch
for byhand's default preset, to set beside dev.byhand.dit.train.StepTimer in the same run.

Same model as bench/python/dit_golden.py, sized like DiTConfig.small() by bench/python/dit_small.py.

Run: /usr/bin/python3 bench/python/dit_step_time.py [batch] [steps] [threads]

Besides wall time it reports process CPU time per step: on a machine shared with other work, with
one thread, CPU time is the fairer of the two figures.
"""
import os
import statistics
import sys
import time

# Debian's torch does its matrix products in OpenBLAS (BLAS_INFO=generic), whose own thread pool
# torch.set_num_threads does not reach: it is sized from the environment when torch loads it, so
# set it to the thread count asked for (argument 3) before that, or "1 thread" runs on all cores.
# Argument 4, if given, sizes OpenBLAS apart from torch: "1 2" (torch 1, OpenBLAS 2) is this
# PyTorch's fastest configuration on 2 cores.
os.environ["OPENBLAS_NUM_THREADS"] = (
    sys.argv[4] if len(sys.argv) > 4 else sys.argv[3] if len(sys.argv) > 3 else "2"
)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_small  # noqa: E402
from dit_small import g  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = dit_small.model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.0)
    x = torch.randn(batch, g.FRAMES, g.HEIGHT, g.WIDTH, g.CHANNELS)
    eps = torch.randn_like(x)
    text = torch.randn(batch, g.TEXT_DIM)
    t = torch.randint(0, 1000, (batch,))
    drop = torch.zeros(batch, dtype=torch.bool)
    times = []
    cpu = []
    for i in range(steps + 5):
        start = time.perf_counter()
        start_cpu = time.process_time()
        loss = F.mse_loss(model(x, t, text, drop), eps)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        if i >= 5:  # the first steps allocate and warm caches
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
    params = sum(p.numel() for p in model.parameters())
    print(f"pytorch {torch.__version__} threads {threads} batch {batch} params {params} "
          f"median step {statistics.median(times):.1f} ms (min {min(times):.1f}, max {max(times):.1f}), "
          f"median CPU {statistics.median(cpu):.1f} ms")


if __name__ == "__main__":
    main()
