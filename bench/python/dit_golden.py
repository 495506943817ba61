"""Golden numbers for byhand's DiT, from an independent PyTorch implementation.

Writes dit/src/test/resources/golden/dit_golden.safetensors: random weights and inputs for a small
DiT configuration, the forward pass's predicted noise, the MSE loss against a noise sample, the
gradients, the global gradient norm, and the weights after one AdamW step with global-norm
clipping. DiTGoldenTest in module dit loads the weights and inputs, runs the Java model and
optimiser, and compares.

The model follows facebookresearch/DiT models.py with byhand's choices: a linear patch embedding
over spacetime patches, fixed 3-D sin-cos positions, a linear text projection with a learned null
embedding, exact (erf) GELU.

Run once (Debian python3-torch): /usr/bin/python3 bench/python/dit_golden.py

With --cross-attention it writes dit_golden_xattn.safetensors instead, for the same model reading the
prompt's token vectors as well (issue 17): a linear projection of each token to the hidden size and
a learned null token for dropped prompts, and in every block, between attention and MLP,
x + CrossAttn(LayerNorm(x), tokens) with the padding masked out (DiTGoldenTest checks both files).
"""
import json
import math
import os
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

# The configuration DiTGoldenTest builds: 2 latent frames of 4x4 with 3 channels, patches 1x2x2.
FRAMES, HEIGHT, WIDTH, CHANNELS = 2, 4, 4, 3
PT, PH, PW = 1, 2, 2
HIDDEN, DEPTH, HEADS, MLP_RATIO = 24, 2, 2, 4
TEXT_DIM, FREQ_DIM = 5, 16
LR, BETAS, EPS, WEIGHT_DECAY, MAX_NORM = 1e-2, (0.9, 0.999), 1e-6, 0.01, 1.0


def modulate(x, shift, scale):
    return x * (1 + scale.unsqueeze(1)) + shift.unsqueeze(1)


def layer_norm(x):
    return F.layer_norm(x, (x.shape[-1],), eps=1e-6)


def timestep_features(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000) * torch.arange(half, dtype=torch.float64) / half)
    args = t[:, None].double() * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1).float()


def sincos_1d(dim, positions):
    half = dim // 2
    omega = 1.0 / 10000 ** (torch.arange(half, dtype=torch.float64) / half)
    out = positions[:, None].double() * omega[None]
    return torch.cat([torch.sin(out), torch.cos(out)], dim=1)


def pos_embed_3d(dim, gt, gh, gw):
    dim_h = 2 * (dim // 6)
    dim_t = dim - 2 * dim_h
    t, y, x = torch.meshgrid(torch.arange(gt), torch.arange(gh), torch.arange(gw), indexing="ij")
    parts = [sincos_1d(dim_t, t.flatten()), sincos_1d(dim_h, y.flatten()), sincos_1d(dim_h, x.flatten())]
    return torch.cat(parts, dim=1).float().unsqueeze(0)


def patchify(x):
    n, f, h, w, c = x.shape
    x = x.reshape(n, f // PT, PT, h // PH, PH, w // PW, PW, c)
    x = x.permute(0, 1, 3, 5, 2, 4, 6, 7)
    return x.reshape(n, -1, PT * PH * PW * c)


def unpatchify(x):
    n = x.shape[0]
    x = x.reshape(n, FRAMES // PT, HEIGHT // PH, WIDTH // PW, PT, PH, PW, CHANNELS)
    x = x.permute(0, 1, 4, 2, 5, 3, 6, 7)
    return x.reshape(n, FRAMES, HEIGHT, WIDTH, CHANNELS)


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x):
        n, t, d = x.shape
        qkv = self.qkv(x).reshape(n, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)) * (d // self.heads) ** -0.5
        x = attn.softmax(dim=-1) @ v
        return self.proj(x.transpose(1, 2).reshape(n, t, d))


class CrossAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(dim, 2 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, y, keep):
        n, t, d = x.shape
        l = y.shape[1]
        hd = d // self.heads
        q = self.q(x).reshape(n, t, self.heads, hd).transpose(1, 2)
        kv = self.kv(y).reshape(n, l, 2, self.heads, hd).permute(2, 0, 3, 1, 4)
        k, v = kv[0], kv[1]
        scores = (q @ k.transpose(-2, -1)) * hd ** -0.5
        scores = scores.masked_fill(~keep[:, None, None, :], float("-inf"))
        x = scores.softmax(dim=-1) @ v
        return self.proj(x.transpose(1, 2).reshape(n, t, d))


class Mlp(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(F.gelu(self.fc1(x)))


class Block(nn.Module):
    def __init__(self, dim, heads, cross):
        super().__init__()
        self.attn = Attention(dim, heads)
        if cross:
            self.cross_attn = CrossAttention(dim, heads)
        self.mlp = Mlp(dim, int(dim * MLP_RATIO))
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 6 * dim))

    def forward(self, x, c, y=None, keep=None):
        shift_msa, scale_msa, gate_msa, shift_mlp, scale_mlp, gate_mlp = self.adaLN_modulation(c).chunk(6, dim=1)
        x = x + gate_msa.unsqueeze(1) * self.attn(modulate(layer_norm(x), shift_msa, scale_msa))
        if y is not None:
            x = x + self.cross_attn(layer_norm(x), y, keep)
        x = x + gate_mlp.unsqueeze(1) * self.mlp(modulate(layer_norm(x), shift_mlp, scale_mlp))
        return x


class FinalLayer(nn.Module):
    def __init__(self, dim, out):
        super().__init__()
        self.adaLN_modulation = nn.Sequential(nn.SiLU(), nn.Linear(dim, 2 * dim))
        self.linear = nn.Linear(dim, out)

    def forward(self, x, c):
        shift, scale = self.adaLN_modulation(c).chunk(2, dim=1)
        return self.linear(modulate(layer_norm(x), shift, scale))


class TextEmbedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(TEXT_DIM, HIDDEN)
        self.null_embedding = nn.Parameter(torch.zeros(HIDDEN))

    def forward(self, text, drop):
        y = self.proj(text)
        return torch.where(drop[:, None], self.null_embedding[None].expand_as(y), y)


class TokenEmbedder(nn.Module):
    """Token vectors -> hidden size; a dropped prompt is the learned null token alone."""

    def __init__(self):
        super().__init__()
        self.token_proj = nn.Linear(TEXT_DIM, HIDDEN)
        self.null_token = nn.Parameter(torch.zeros(HIDDEN))

    def forward(self, tokens, mask, drop):
        y = self.token_proj(tokens)
        nulls = torch.zeros_like(y)
        nulls[:, 0] = self.null_token
        y = torch.where(drop[:, None, None], nulls, y)
        first = torch.zeros_like(mask)
        first[:, 0] = True
        keep = torch.where(drop[:, None], first, mask)
        return y, keep


class TimestepEmbedder(nn.Module):
    def __init__(self):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(FREQ_DIM, HIDDEN), nn.SiLU(), nn.Linear(HIDDEN, HIDDEN))

    def forward(self, t):
        return self.mlp(timestep_features(t, FREQ_DIM))


class PatchEmbed(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(PT * PH * PW * CHANNELS, HIDDEN)

    def forward(self, x):
        return self.proj(x)


class YEmbedder(nn.Module):
    """The pooled text projection and null embedding and, with cross-attention, the tokens'."""

    def __init__(self, cross):
        super().__init__()
        self.proj = nn.Linear(TEXT_DIM, HIDDEN)
        self.null_embedding = nn.Parameter(torch.zeros(HIDDEN))
        if cross:
            self.tokens = TokenEmbedder()

    def forward(self, text, drop):
        y = self.proj(text)
        return torch.where(drop[:, None], self.null_embedding[None].expand_as(y), y)


class DiT(nn.Module):
    def __init__(self, cross=False):
        super().__init__()
        self.cross = cross
        self.x_embedder = PatchEmbed()
        self.t_embedder = TimestepEmbedder()
        self.y_embedder = YEmbedder(cross) if cross else TextEmbedder()
        self.blocks = nn.ModuleList([Block(HIDDEN, HEADS, cross) for _ in range(DEPTH)])
        self.final_layer = FinalLayer(HIDDEN, PT * PH * PW * CHANNELS)
        self.register_buffer(
            "pos_embed", pos_embed_3d(HIDDEN, FRAMES // PT, HEIGHT // PH, WIDTH // PW), persistent=False)

    def forward(self, x, t, text, drop, tokens=None, mask=None):
        h = self.x_embedder(patchify(x)) + self.pos_embed
        c = self.t_embedder(t) + self.y_embedder(text, drop)
        y, keep = (None, None)
        if self.cross:
            y, keep = self.y_embedder.tokens(tokens, mask, drop)
        for block in self.blocks:
            h = block(h, c, y, keep)
        return unpatchify(self.final_layer(h, c))


def state_name(name):
    """PyTorch module names -> byhand's (the token embedder's parameters sit in y_embedder)."""
    return name.replace("y_embedder.tokens.", "y_embedder.")


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, value in tensors.items():
        data = value.detach().contiguous().float().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(value.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text.encode())
        for blob in blobs:
            out.write(blob)


TOKENS = 4  # token positions in the cross-attention file; the first clip has 3 tokens, then padding


def main():
    cross = "--cross-attention" in sys.argv[1:]
    torch.manual_seed(4321 if cross else 1234)
    torch.set_num_threads(2)
    model = DiT(cross)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn_like(p) * 0.3)  # no zeros: every path of the block is exercised
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}
    n = 2
    x = torch.randn(n, FRAMES, HEIGHT, WIDTH, CHANNELS)
    eps = torch.randn(n, FRAMES, HEIGHT, WIDTH, CHANNELS)
    text = torch.randn(n, TEXT_DIM)
    t = torch.tensor([3, 700])
    drop = torch.tensor([False, True])

    tokens = torch.randn(n, TOKENS, TEXT_DIM)
    mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
    predicted = model(x, t, text, drop, tokens, mask) if cross else model(x, t, text, drop)
    loss = F.mse_loss(predicted, eps)
    loss.backward()
    grads = {state_name(k): p.grad.detach().clone() for k, p in model.named_parameters()}
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_NORM)
    optimizer = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY)
    optimizer.step()

    out = {}
    for k, v in initial.items():
        out["param." + state_name(k)] = v
    if cross:
        out["input.tokens"] = tokens
        out["input.mask"] = mask.float()
    out["input.x"] = x
    out["input.eps"] = eps
    out["input.text"] = text
    out["input.t"] = t.float()
    out["input.drop"] = drop.float()
    out["output.predicted"] = predicted
    out["output.loss"] = loss.reshape(1)
    out["output.grad_norm"] = norm.reshape(1)
    for k, g in grads.items():
        out["grad." + k] = g
    for k, p in model.named_parameters():
        out["after." + state_name(k)] = p
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    name = "dit_golden_xattn.safetensors" if cross else "dit_golden.safetensors"
    path = os.path.join(root, "dit", "src", "test", "resources", "golden", name)
    write_safetensors(path, out)
    print("torch", torch.__version__, "loss", loss.item(), "grad norm", norm.item(), "->", os.path.normpath(path))


if __name__ == "__main__":
    main()
