"""byhand's default DiT preset, DiTConfig.small(), in PyTorch: the model of bench/python/dit_golden.py
sized for the timing scripts (dit_step_time.py, dit_generate_time.py), defined once here.

8 latent frames of 8x8 with 8 channels, patches 1x2x2 (128 tokens), D = 128, 4 blocks, 4 heads,
MLP ratio 4, text 384 (all-MiniLM-L6-v2), 256 timestep frequencies.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dit_golden as g  # noqa: E402

# dit_golden's classes read these module constants when they are built, so set them before.
g.FRAMES, g.HEIGHT, g.WIDTH, g.CHANNELS = 8, 8, 8, 8
g.PT, g.PH, g.PW = 1, 2, 2
g.HIDDEN, g.DEPTH, g.HEADS, g.MLP_RATIO = 128, 4, 4, 4
g.TEXT_DIM, g.FREQ_DIM = 384, 256


def model():
    """A DiT of the small preset with PyTorch's default (random) initialisation."""
    return g.DiT()
