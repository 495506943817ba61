"""Times generating one clip in PyTorch with byhand's default model shapes, to set beside
dev.byhand.dit.GenerateTimer (which runs byhand's own VideoGenerator) in the same run.

One clip is what `byhand video generate` does after the prompt is embedded:
  * start noise, the latent grid of DiTConfig.small(): (1, 8 frames, 8, 8, 8 channels);
  * 50 DDIM steps (eta 0) over the linear schedule (beta 1e-4 -> 0.02, T = 1000), each one DiT
    forward pass on a batch of 2 -- the conditional and the unconditional (null text embedding)
    halves side by side, as VideoGenerator.guidance batches them -- then
    eps = eps(null) + 4 * (eps(text) - eps(null)) and the DDIM update;
  * the autoencoder's decode (AutoencoderConfig.small(): 8 latents -> 256 -> 256 -> a 4x4 RGB
    patch, ReLU between), un-normalising the latents first, then re-assembling the patches into
    8 frames of 32x32x3 and clamping to [-1, 1].

The DiT is bench/python/dit_small.py (the model of dit_golden.py, which DiTGoldenTest checks
against byhand's within 1e-4). Weights and the text embedding are random: this is for timing only.

Run: /usr/bin/python3 bench/python/dit_generate_time.py [clips] [warmup] [threads] [steps] [cfg]
Prints the median wall and process-CPU time per clip over `clips` clips after `warmup` clips.
"""
import os
import statistics
import sys
import time

# Debian's torch does its matrix products in OpenBLAS (BLAS_INFO=generic), whose own thread pool
# torch.set_num_threads does not reach: it is sized from the environment when torch loads it, so
# set it to the thread count asked for (argument 3) before that, or "1 thread" runs on all cores.
os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[3] if len(sys.argv) > 3 else "2"
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_small  # noqa: E402
from dit_small import g  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

# AutoencoderConfig.small()
AE_CHANNELS, AE_PT, AE_PH, AE_PW, AE_HIDDEN, AE_LAYERS, AE_LATENT = 3, 1, 4, 4, 256, 2, 8


class Decoder(nn.Module):
    """The decoder half of byhand's patch-wise Autoencoder, with its latent normalisation."""

    def __init__(self):
        super().__init__()
        sizes = [AE_LATENT] + [AE_HIDDEN] * AE_LAYERS + [AE_PT * AE_PH * AE_PW * AE_CHANNELS]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.register_buffer("latent_mean", torch.zeros(AE_LATENT))
        self.register_buffer("latent_std", torch.ones(AE_LATENT))

    def forward(self, z):
        """Normalised latent grid (F', H', W', C) -> clip (F, H, W, 3) in [-1, 1]."""
        gt, gh, gw, c = z.shape
        h = z.reshape(-1, c) * self.latent_std + self.latent_mean
        for i, layer in enumerate(self.layers):
            h = layer(h)
            if i < len(self.layers) - 1:
                h = F.relu(h)
        video = h.reshape(gt, gh, gw, AE_PT, AE_PH, AE_PW, AE_CHANNELS).permute(0, 3, 1, 4, 2, 5, 6)
        video = video.reshape(gt * AE_PT, gh * AE_PH, gw * AE_PW, AE_CHANNELS)
        return video.clamp(-1, 1).contiguous()


def alphas_cumprod(total=1000, start=1e-4, end=0.02):
    betas = torch.linspace(start, end, total, dtype=torch.float64)
    return torch.cumprod(1 - betas, 0)


def generate(model, decoder, text, steps, scale, abar):
    """One clip: DDIM (eta 0) with classifier-free guidance, both halves in one batch, then decode."""
    total = abar.shape[0]
    times = [i * total // steps for i in range(steps)]
    x = torch.randn(1, g.FRAMES, g.HEIGHT, g.WIDTH, g.CHANNELS)
    text2 = torch.cat([text, text])
    drop = torch.tensor([False, True])
    for k in range(steps - 1, -1, -1):
        t = times[k]
        a_t = abar[t].item()
        a_prev = 1.0 if k == 0 else abar[times[k - 1]].item()
        eps_both = model(torch.cat([x, x]), torch.tensor([t, t]), text2, drop)
        conditional, unconditional = eps_both.chunk(2)
        eps = unconditional + (conditional - unconditional) * scale
        x0 = (x - (1 - a_t) ** 0.5 * eps) / a_t ** 0.5
        x = a_prev ** 0.5 * x0 + (1 - a_prev) ** 0.5 * eps
    return decoder(x[0])


def main():
    clips = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    warmup = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    threads = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    steps = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    scale = float(sys.argv[5]) if len(sys.argv) > 5 else 4.0
    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)  # as byhand's launcher sets libtorch's
    torch.manual_seed(0)
    model = dit_small.model().eval()
    decoder = Decoder().eval()
    text = torch.randn(1, g.TEXT_DIM)
    text = text / text.norm()  # MiniLM's vectors are normalised
    abar = alphas_cumprod()
    wall, cpu = [], []
    with torch.inference_mode():
        for i in range(warmup + clips):
            start = time.perf_counter()
            start_cpu = time.process_time()
            video = generate(model, decoder, text, steps, scale, abar)
            if i >= warmup:
                wall.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
    if not torch.isfinite(video).all():
        raise SystemExit("pytorch: the clip is not finite")
    print(f"pytorch {torch.__version__} threads {threads} generate 1 clip {tuple(video.shape)} "
          f"({steps} DDIM steps, cfg {scale:g}): median {statistics.median(wall):.1f} ms "
          f"(min {min(wall):.1f}, max {max(wall):.1f}, {clips} clips after {warmup}), "
          f"median CPU {statistics.median(cpu):.1f} ms")


if __name__ == "__main__":
    main()
