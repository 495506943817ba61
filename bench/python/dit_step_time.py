"""Times one DiT training step (forward, MSE on noise, backward, global-norm clip, AdamW) in PyTorch
for byhand's default preset, to set beside dev.byhand.dit.train.StepTimer in the same run.

Same model as bench/python/dit_golden.py, sized like DiTConfig.small(): 8 latent frames of 8x8
with 8 channels, patches 1x2x2 (128 tokens), D = 128, 4 blocks, 4 heads, text 384, 256 frequencies.

Run: /usr/bin/python3 bench/python/dit_step_time.py [batch] [steps] [threads]

Besides wall time it reports process CPU time per step: on a machine shared with other work, with
one thread, CPU time is the fairer of the two figures.
"""
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_golden as g  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

g.FRAMES, g.HEIGHT, g.WIDTH, g.CHANNELS = 8, 8, 8, 8
g.PT, g.PH, g.PW = 1, 2, 2
g.HIDDEN, g.DEPTH, g.HEADS, g.MLP_RATIO = 128, 4, 4, 4
g.TEXT_DIM, g.FREQ_DIM = 384, 256


def main():
    batch = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = g.DiT()
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
