#!/usr/bin/env python3
"""Regenerate the ONNX test fixtures for the autodiff (VJP) transform and the sd15-layout loader tests.

What: small graphs in the diffusers / transformers block structure (VAE encoder and decoder, a
cross-attention UNet, CLIP vision and text towers), re-implemented here in plain torch (diffusers
and transformers are not needed), exported with torch's own TorchScript ONNX exporter, plus
reference vector-Jacobian products computed by torch.autograd in float64.

Why: src/engine/autodiff turns a forward ONNX graph into its VJP graph. Hand-written graphs only
test what their author thought of; these are what torch.onnx.export really emits for the block
types of Stable Diffusion 1.5 and CLIP (GroupNorm as InstanceNormalization + Reshape, LayerNorm
as ReduceMean/Pow/Sqrt or one LayerNormalization at opset 17, erf GELU, the Shape/Gather/
Concat/Cast paths of dynamic axes, Resize, Pad, Trilu, ...). The sd15-layout folders give the
end-to-end tests graphs with the public exports' file layouts and I/O names/dtypes.

Outputs (all committed; CI never needs torch):
  test/fixtures/autodiff/<case>.onnx + <case>.vjp.json
      cases: vae_encoder, vae_decoder, unet, unet_opset17, clip_vision, clip_text
      (+ clip_text_embeds.vjp.json: VJP w.r.t. inputs_embeds, for the embedding-Gather surgery)
  test/fixtures/sd15-layouts/{diffusers,optimum,optimum-fp16}/{unet,vae_encoder,vae_decoder}/...

How the references are made: each module is built under a fixed seed and exported in float32;
a .double() deep copy of the same weights is then run on the same float32 inputs cast to float64,
and torch.autograd.grad(out, wrt, grad_outputs=cotangent) gives the reference VJPs. Inputs and
cotangents are float32 values, stored exactly (shortest float32 round-trip decimal); references
are stored with REF_DIGITS significant digits.

Run from the repository root with Debian's python (it has torch 1.13 and onnx 1.12; the default
pyenv python3 has no torch):

    /usr/bin/python3 models/export/make_fixtures.py            # regenerate in place (~10 s)
    /usr/bin/python3 models/export/make_fixtures.py --verify   # regenerate into a temp folder and
                                                               # compare sha256s with the committed files

It also writes test/fixtures/README.md (op types per graph, signatures, sizes, sha256s). Every file
is written atomically (temporary file + rename). The output is byte-identical from run to run with
these torch/onnx versions (one torch thread, deterministic algorithms, fixed seeds).
"""
import argparse
import copy
import hashlib
import io
import json
import math
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "test", "fixtures")
SEED = 20240611
REF_DIGITS = 7  # significant digits of stored float64 references (float32 has ~7.2)
GROUPS = 4  # GroupNorm groups everywhere (SD1.5 uses 32)
CROSS_DIM = 768  # encoder_hidden_states width (CLIP ViT-L/14 text hidden size)

# --------------------------------------------------------------------------------------------
# diffusers building blocks (structure of diffusers 0.1x, re-implemented)
# --------------------------------------------------------------------------------------------


def get_timestep_embedding(timesteps, embedding_dim, flip_sin_to_cos=False, downscale_freq_shift=1.0,
                           scale=1.0, max_period=10000):
    """diffusers.models.embeddings.get_timestep_embedding, verbatim in substance (float32 path)."""
    assert len(timesteps.shape) == 1, "Timesteps should be a 1d-array"
    half_dim = embedding_dim // 2
    exponent = -math.log(max_period) * torch.arange(start=0, end=half_dim, dtype=torch.float32)
    exponent = exponent / (half_dim - downscale_freq_shift)
    emb = torch.exp(exponent)
    emb = timesteps[:, None].float() * emb[None, :]
    emb = scale * emb
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half_dim:], emb[:, :half_dim]], dim=-1)
    if embedding_dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1, 0, 0))
    return emb


class ResnetBlock2D(nn.Module):
    """GroupNorm-SiLU-Conv3x3 twice, optional time-embedding projection, optional 1x1 shortcut."""

    def __init__(self, in_channels, out_channels, temb_channels=None, groups=GROUPS, eps=1e-6):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, in_channels, eps=eps, affine=True)
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=1, padding=1)
        self.time_emb_proj = nn.Linear(temb_channels, out_channels) if temb_channels else None
        self.norm2 = nn.GroupNorm(groups, out_channels, eps=eps, affine=True)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=1, padding=1)
        self.conv_shortcut = nn.Conv2d(in_channels, out_channels, 1) if in_channels != out_channels else None
        self.output_scale_factor = 1.0

    def forward(self, input_tensor, temb=None):
        hidden_states = F.silu(self.norm1(input_tensor))
        hidden_states = self.conv1(hidden_states)
        if temb is not None:
            temb = self.time_emb_proj(F.silu(temb))[:, :, None, None]
            hidden_states = hidden_states + temb
        hidden_states = F.silu(self.norm2(hidden_states))
        hidden_states = self.conv2(hidden_states)
        if self.conv_shortcut is not None:
            input_tensor = self.conv_shortcut(input_tensor)
        return (input_tensor + hidden_states) / self.output_scale_factor


class VaeAttention(nn.Module):
    """diffusers VAE mid-block attention: one head over the H*W tokens, residual."""

    def __init__(self, channels, groups=GROUPS):
        super().__init__()
        self.group_norm = nn.GroupNorm(groups, channels, eps=1e-6, affine=True)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.Linear(channels, channels)
        self.scale = 1.0 / math.sqrt(channels)
        self.rescale_output_factor = 1.0

    def forward(self, hidden_states):
        residual = hidden_states
        batch, channel, height, width = hidden_states.shape
        hidden_states = self.group_norm(hidden_states)
        hidden_states = hidden_states.view(batch, channel, height * width).transpose(1, 2)
        query = self.to_q(hidden_states)
        key = self.to_k(hidden_states)
        value = self.to_v(hidden_states)
        scores = torch.matmul(query, key.transpose(-1, -2)) * self.scale
        probs = torch.softmax(scores, dim=-1)
        hidden_states = torch.matmul(probs, value)
        hidden_states = self.to_out(hidden_states)
        hidden_states = hidden_states.transpose(-1, -2).reshape(batch, channel, height, width)
        return (hidden_states + residual) / self.rescale_output_factor


class VaeDownsample(nn.Module):
    """diffusers Downsample2D(use_conv=True, padding=0): F.pad (0,1,0,1), conv 3x3 stride 2."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=0)

    def forward(self, x):
        x = F.pad(x, (0, 1, 0, 1), mode="constant", value=0)
        return self.conv(x)


class UnetDownsample(nn.Module):
    """diffusers Downsample2D(use_conv=True, padding=1): conv 3x3 stride 2 pad 1."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    """diffusers Upsample2D(use_conv=True): nearest x2, conv 3x3 pad 1."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        x = F.interpolate(x, scale_factor=2.0, mode="nearest")
        return self.conv(x)


class Attention(nn.Module):
    """diffusers CrossAttention (to_q/to_k/to_v without bias, to_out with bias), multi-head."""

    def __init__(self, query_dim, cross_attention_dim=None, heads=2, dim_head=4):
        super().__init__()
        inner_dim = heads * dim_head
        cross_attention_dim = cross_attention_dim or query_dim
        self.heads = heads
        self.scale = dim_head ** -0.5
        self.to_q = nn.Linear(query_dim, inner_dim, bias=False)
        self.to_k = nn.Linear(cross_attention_dim, inner_dim, bias=False)
        self.to_v = nn.Linear(cross_attention_dim, inner_dim, bias=False)
        self.to_out = nn.Linear(inner_dim, query_dim)

    def head_to_batch_dim(self, tensor):
        batch_size, seq_len, dim = tensor.shape
        head_size = self.heads
        tensor = tensor.reshape(batch_size, seq_len, head_size, dim // head_size)
        return tensor.permute(0, 2, 1, 3).reshape(batch_size * head_size, seq_len, dim // head_size)

    def batch_to_head_dim(self, tensor):
        batch_size, seq_len, dim = tensor.shape
        head_size = self.heads
        tensor = tensor.reshape(batch_size // head_size, head_size, seq_len, dim)
        return tensor.permute(0, 2, 1, 3).reshape(batch_size // head_size, seq_len, dim * head_size)

    def forward(self, hidden_states, encoder_hidden_states=None):
        context = hidden_states if encoder_hidden_states is None else encoder_hidden_states
        query = self.head_to_batch_dim(self.to_q(hidden_states))
        key = self.head_to_batch_dim(self.to_k(context))
        value = self.head_to_batch_dim(self.to_v(context))
        scores = torch.matmul(query, key.transpose(-1, -2)) * self.scale
        probs = scores.softmax(dim=-1)
        hidden_states = torch.matmul(probs, value)
        hidden_states = self.batch_to_head_dim(hidden_states)
        return self.to_out(hidden_states)


class GEGLU(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.proj = nn.Linear(dim_in, dim_out * 2)

    def forward(self, hidden_states):
        hidden_states, gate = self.proj(hidden_states).chunk(2, dim=-1)
        return hidden_states * F.gelu(gate)  # exact (erf) GELU


class FeedForward(nn.Module):
    def __init__(self, dim, mult=4):
        super().__init__()
        self.net = nn.ModuleList([GEGLU(dim, dim * mult), nn.Linear(dim * mult, dim)])

    def forward(self, hidden_states):
        for module in self.net:
            hidden_states = module(hidden_states)
        return hidden_states


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, dim_head, cross_attention_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, None, heads, dim_head)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, cross_attention_dim, heads, dim_head)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, hidden_states, encoder_hidden_states):
        hidden_states = self.attn1(self.norm1(hidden_states)) + hidden_states
        hidden_states = self.attn2(self.norm2(hidden_states), encoder_hidden_states) + hidden_states
        hidden_states = self.ff(self.norm3(hidden_states)) + hidden_states
        return hidden_states


class Transformer2DModel(nn.Module):
    """GroupNorm, proj_in (1x1 conv as SD1.5, or Linear as SD2), one BasicTransformerBlock, proj_out, residual."""

    def __init__(self, in_channels, heads, dim_head, cross_attention_dim=CROSS_DIM, use_linear_projection=False,
                 groups=GROUPS):
        super().__init__()
        inner_dim = heads * dim_head
        self.use_linear_projection = use_linear_projection
        self.norm = nn.GroupNorm(groups, in_channels, eps=1e-6, affine=True)
        if use_linear_projection:
            self.proj_in = nn.Linear(in_channels, inner_dim)
            self.proj_out = nn.Linear(inner_dim, in_channels)
        else:
            self.proj_in = nn.Conv2d(in_channels, inner_dim, 1)
            self.proj_out = nn.Conv2d(inner_dim, in_channels, 1)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(inner_dim, heads, dim_head, cross_attention_dim)])

    def forward(self, hidden_states, encoder_hidden_states):
        batch, _, height, width = hidden_states.shape
        residual = hidden_states
        hidden_states = self.norm(hidden_states)
        if not self.use_linear_projection:
            hidden_states = self.proj_in(hidden_states)
            inner_dim = hidden_states.shape[1]
            hidden_states = hidden_states.permute(0, 2, 3, 1).reshape(batch, height * width, inner_dim)
        else:
            inner_dim = hidden_states.shape[1]
            hidden_states = hidden_states.permute(0, 2, 3, 1).reshape(batch, height * width, inner_dim)
            hidden_states = self.proj_in(hidden_states)
        for block in self.transformer_blocks:
            hidden_states = block(hidden_states, encoder_hidden_states)
        if not self.use_linear_projection:
            hidden_states = hidden_states.reshape(batch, height, width, inner_dim).permute(0, 3, 1, 2).contiguous()
            hidden_states = self.proj_out(hidden_states)
        else:
            hidden_states = self.proj_out(hidden_states)
            hidden_states = hidden_states.reshape(batch, height, width, inner_dim).permute(0, 3, 1, 2).contiguous()
        return hidden_states + residual


class TimestepEmbedding(nn.Module):
    def __init__(self, in_channels, time_embed_dim):
        super().__init__()
        self.linear_1 = nn.Linear(in_channels, time_embed_dim)
        self.linear_2 = nn.Linear(time_embed_dim, time_embed_dim)

    def forward(self, sample):
        return self.linear_2(F.silu(self.linear_1(sample)))


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


class VaeEncoder(nn.Module):
    """AutoencoderKL encoder + quant_conv: [B,3,H,W] -> moments [B,8,H/8,W/8] (mean || logvar)."""

    def __init__(self, channels=(4, 8, 8, 8), latent_channels=4):
        super().__init__()
        self.conv_in = nn.Conv2d(3, channels[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        prev = channels[0]
        for i, ch in enumerate(channels):
            block = nn.Module()
            block.resnets = nn.ModuleList([ResnetBlock2D(prev, ch)])
            block.downsamplers = nn.ModuleList([VaeDownsample(ch)]) if i < len(channels) - 1 else nn.ModuleList()
            self.down_blocks.append(block)
            prev = ch
        self.mid_block = nn.ModuleList([ResnetBlock2D(prev, prev), VaeAttention(prev), ResnetBlock2D(prev, prev)])
        self.conv_norm_out = nn.GroupNorm(GROUPS, prev, eps=1e-6)
        self.conv_out = nn.Conv2d(prev, 2 * latent_channels, 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * latent_channels, 2 * latent_channels, 1)

    def forward(self, sample):
        h = self.conv_in(sample)
        for block in self.down_blocks:
            for resnet in block.resnets:
                h = resnet(h)
            for down in block.downsamplers:
                h = down(h)
        for layer in self.mid_block:
            h = layer(h)
        h = self.conv_out(F.silu(self.conv_norm_out(h)))
        return self.quant_conv(h)


class VaeEncoderSample(nn.Module):
    """diffusers conversion script's vae_encoder: encode(sample).latent_dist.sample() (random inside the graph)."""

    def __init__(self, encoder):
        super().__init__()
        self.encoder = encoder

    def forward(self, sample):
        parameters = self.encoder(sample)
        mean, logvar = torch.chunk(parameters, 2, dim=1)
        logvar = torch.clamp(logvar, -30.0, 20.0)
        std = torch.exp(0.5 * logvar)
        noise = torch.randn(mean.shape, dtype=mean.dtype)  # diffusers randn_tensor(self.mean.shape, ...)
        return mean + std * noise


class VaeDecoder(nn.Module):
    """AutoencoderKL post_quant_conv + decoder: [B,4,h,w] -> [B,3,8h,8w]."""

    def __init__(self, channels=(4, 8, 8, 8), latent_channels=4):
        super().__init__()
        self.post_quant_conv = nn.Conv2d(latent_channels, latent_channels, 1)
        rev = list(reversed(channels))
        self.conv_in = nn.Conv2d(latent_channels, rev[0], 3, padding=1)
        self.mid_block = nn.ModuleList([ResnetBlock2D(rev[0], rev[0]), VaeAttention(rev[0]), ResnetBlock2D(rev[0], rev[0])])
        self.up_blocks = nn.ModuleList()
        prev = rev[0]
        for i, ch in enumerate(rev):
            block = nn.Module()
            block.resnets = nn.ModuleList([ResnetBlock2D(prev, ch)])
            block.upsamplers = nn.ModuleList([Upsample2D(ch)]) if i < len(rev) - 1 else nn.ModuleList()
            self.up_blocks.append(block)
            prev = ch
        self.conv_norm_out = nn.GroupNorm(GROUPS, prev, eps=1e-6)
        self.conv_out = nn.Conv2d(prev, 3, 3, padding=1)

    def forward(self, latent_sample):
        h = self.conv_in(self.post_quant_conv(latent_sample))
        for layer in self.mid_block:
            h = layer(h)
        for block in self.up_blocks:
            for resnet in block.resnets:
                h = resnet(h)
            for up in block.upsamplers:
                h = up(h)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


class UNet(nn.Module):
    """UNet2DConditionModel in miniature: one resolution level (latent sides 2..64, even)."""

    def __init__(self, ch=8, heads=2, dim_head=4):
        super().__init__()
        temb = 4 * ch
        self.ch = ch
        self.conv_in = nn.Conv2d(4, ch, 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch, temb)
        # CrossAttnDownBlock2D: resnet + Transformer2D (conv proj, as SD1.5) + downsampler
        self.down_resnet = ResnetBlock2D(ch, ch, temb)
        self.down_attention = Transformer2DModel(ch, heads, dim_head)
        self.downsample = UnetDownsample(ch)
        # UNetMidBlock2DCrossAttn: resnet, Transformer2D (linear proj, as SD2), resnet
        self.mid_resnet1 = ResnetBlock2D(ch, ch, temb)
        self.mid_attention = Transformer2DModel(ch, heads, dim_head, use_linear_projection=True)
        self.mid_resnet2 = ResnetBlock2D(ch, ch, temb)
        # two up blocks, each a resnet on [hidden || skip] (2ch -> ch: has the 1x1 shortcut); nearest upsample
        self.up0_resnet = ResnetBlock2D(2 * ch, ch, temb)
        self.upsample = Upsample2D(ch)
        self.up1_resnet = ResnetBlock2D(2 * ch, ch, temb)
        self.conv_norm_out = nn.GroupNorm(GROUPS, ch, eps=1e-5)
        self.conv_out = nn.Conv2d(ch, 4, 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states):
        timesteps = timestep
        if len(timesteps.shape) == 0:
            timesteps = timesteps[None]
        timesteps = timesteps.expand(sample.shape[0])
        t_emb = get_timestep_embedding(timesteps, self.ch, flip_sin_to_cos=True, downscale_freq_shift=0)
        t_emb = t_emb.to(dtype=sample.dtype)
        emb = self.time_embedding(t_emb)

        h = self.conv_in(sample)
        h1 = self.down_attention(self.down_resnet(h, emb), encoder_hidden_states)
        h2 = self.downsample(h1)
        h = self.mid_resnet1(h2, emb)
        h = self.mid_attention(h, encoder_hidden_states)
        h = self.mid_resnet2(h, emb)
        h = self.up0_resnet(torch.cat([h, h2], dim=1), emb)
        h = self.upsample(h)
        h = self.up1_resnet(torch.cat([h, h1], dim=1), emb)
        return self.conv_out(F.silu(self.conv_norm_out(h)))


# --------------------------------------------------------------------------------------------
# transformers CLIP building blocks (structure of transformers 4.2x, re-implemented)
# --------------------------------------------------------------------------------------------


class ClipAttention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.scale = self.head_dim ** -0.5
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def _shape(self, tensor, seq_len, bsz):
        return tensor.view(bsz, seq_len, self.heads, self.head_dim).transpose(1, 2).contiguous()

    def forward(self, hidden_states, causal_attention_mask=None):
        bsz, tgt_len, embed_dim = hidden_states.size()
        query_states = self.q_proj(hidden_states) * self.scale
        key_states = self._shape(self.k_proj(hidden_states), -1, bsz)
        value_states = self._shape(self.v_proj(hidden_states), -1, bsz)
        proj_shape = (bsz * self.heads, -1, self.head_dim)
        query_states = self._shape(query_states, tgt_len, bsz).view(*proj_shape)
        key_states = key_states.view(*proj_shape)
        value_states = value_states.view(*proj_shape)
        src_len = key_states.size(1)
        attn_weights = torch.bmm(query_states, key_states.transpose(1, 2))
        if causal_attention_mask is not None:
            attn_weights = attn_weights.view(bsz, self.heads, tgt_len, src_len) + causal_attention_mask
            attn_weights = attn_weights.view(bsz * self.heads, tgt_len, src_len)
        attn_weights = F.softmax(attn_weights, dim=-1)
        attn_output = torch.bmm(attn_weights, value_states)
        attn_output = attn_output.view(bsz, self.heads, tgt_len, self.head_dim).transpose(1, 2)
        attn_output = attn_output.reshape(bsz, tgt_len, embed_dim)
        return self.out_proj(attn_output)


class ClipMLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        x = self.fc1(x)
        x = x * torch.sigmoid(1.702 * x)  # quick_gelu
        return self.fc2(x)


class ClipEncoderLayer(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.layer_norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.self_attn = ClipAttention(dim, heads)
        self.layer_norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.mlp = ClipMLP(dim, hidden)

    def forward(self, hidden_states, causal_attention_mask=None):
        hidden_states = hidden_states + self.self_attn(self.layer_norm1(hidden_states), causal_attention_mask)
        hidden_states = hidden_states + self.mlp(self.layer_norm2(hidden_states))
        return hidden_states


class ClipVision(nn.Module):
    """CLIPVisionModelWithProjection in miniature: pixel_values [B,3,32,32] -> image_embeds [B,16]."""

    def __init__(self, image_size=32, patch=8, dim=32, heads=2, hidden=64, layers=2, projection_dim=16):
        super().__init__()
        self.class_embedding = nn.Parameter(torch.randn(dim))
        self.patch_embedding = nn.Conv2d(3, dim, kernel_size=patch, stride=patch, bias=False)
        num_positions = (image_size // patch) ** 2 + 1
        self.position_embedding = nn.Embedding(num_positions, dim)
        self.register_buffer("position_ids", torch.arange(num_positions).expand((1, -1)))
        self.pre_layrnorm = nn.LayerNorm(dim, eps=1e-5)
        self.layers = nn.ModuleList([ClipEncoderLayer(dim, heads, hidden) for _ in range(layers)])
        self.post_layernorm = nn.LayerNorm(dim, eps=1e-5)
        self.visual_projection = nn.Linear(dim, projection_dim, bias=False)

    def forward(self, pixel_values):
        batch_size = pixel_values.shape[0]
        patch_embeds = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        class_embeds = self.class_embedding.expand(batch_size, 1, -1)
        embeddings = torch.cat([class_embeds, patch_embeds], dim=1)
        embeddings = embeddings + self.position_embedding(self.position_ids)
        hidden_states = self.pre_layrnorm(embeddings)
        for layer in self.layers:
            hidden_states = layer(hidden_states)
        pooled_output = self.post_layernorm(hidden_states[:, 0, :])
        return self.visual_projection(pooled_output)


class ClipText(nn.Module):
    """CLIPTextModel in miniature: input_ids [B,77] -> last_hidden_state [B,77,32], pooler_output [B,32]."""

    def __init__(self, vocab=1000, max_positions=77, dim=32, heads=2, hidden=64, layers=1):
        super().__init__()
        self.token_embedding = nn.Embedding(vocab, dim)
        self.position_embedding = nn.Embedding(max_positions, dim)
        self.register_buffer("position_ids", torch.arange(max_positions).expand((1, -1)))
        self.layers = nn.ModuleList([ClipEncoderLayer(dim, heads, hidden) for _ in range(layers)])
        self.final_layer_norm = nn.LayerNorm(dim, eps=1e-5)

    def embed(self, input_ids):
        return self.token_embedding(input_ids)

    def from_embeds(self, inputs_embeds):
        bsz, seq_len = inputs_embeds.shape[0], inputs_embeds.shape[1]
        position_ids = self.position_ids[:, :seq_len]
        hidden_states = inputs_embeds + self.position_embedding(position_ids)
        # transformers' _build_causal_attention_mask
        mask = torch.empty(bsz, seq_len, seq_len, dtype=hidden_states.dtype)
        mask.fill_(torch.tensor(torch.finfo(torch.float32).min))
        mask.triu_(1)
        mask = mask.unsqueeze(1)
        for layer in self.layers:
            hidden_states = layer(hidden_states, mask)
        return self.final_layer_norm(hidden_states)

    def forward(self, input_ids):
        last_hidden_state = self.from_embeds(self.embed(input_ids))
        pooled_output = last_hidden_state[
            torch.arange(last_hidden_state.shape[0]), input_ids.to(dtype=torch.int).argmax(dim=-1)]
        return last_hidden_state, pooled_output


class ClipTextFromEmbeds(nn.Module):
    def __init__(self, text):
        super().__init__()
        self.text = text

    def forward(self, inputs_embeds):
        return self.text.from_embeds(inputs_embeds)


# --------------------------------------------------------------------------------------------
# deterministic models and inputs
# --------------------------------------------------------------------------------------------


def _perturb_norms(module, gen):
    """Non-trivial GroupNorm/LayerNorm affine parameters, so a dropped scale or bias shows up in the VJPs."""
    for m in module.modules():
        if isinstance(m, (nn.GroupNorm, nn.LayerNorm)):
            with torch.no_grad():
                m.weight.copy_(1.0 + 0.2 * torch.randn(m.weight.shape, generator=gen))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=gen))


def build_models():
    """The five fixture networks, float32, eval mode, weights fixed by SEED."""
    models = {}
    ctors = [("vae_encoder", VaeEncoder), ("vae_decoder", VaeDecoder), ("unet", UNet),
             ("clip_vision", ClipVision), ("clip_text", ClipText)]
    for k, (name, ctor) in enumerate(ctors):
        torch.manual_seed(SEED + k)
        model = ctor().eval()
        _perturb_norms(model, torch.Generator().manual_seed(SEED + 50 + k))
        for p in model.parameters():
            p.requires_grad_(False)
        models[name] = model
    return models


def _q(t, decimals):
    """Round to a few decimals so float32 inputs print short and exactly (shortest float32 repr)."""
    s = 10.0 ** decimals
    return (torch.round(t * s) / s).to(torch.float32)


def _halves(t):
    """Round to multiples of 0.5: the 59k-value context stays short in JSON (exact in float32)."""
    return (torch.round(t * 2) / 2).to(torch.float32)


def build_inputs():
    """Fixed inputs and cotangents of the autodiff cases (float32 / int64)."""
    g = torch.Generator().manual_seed(SEED + 100)
    ids = [998] + torch.randint(1, 998, (20,), generator=g).tolist() + [999] * 56  # bos, words, eos, eos-padding
    return {
        "vae_encoder": {"sample": _q(torch.rand(1, 3, 32, 32, generator=g) * 2 - 1, 2),
                        "cotangent": _q(torch.randn(1, 8, 4, 4, generator=g), 2)},
        "vae_decoder": {"latent_sample": _q(torch.randn(1, 4, 4, 4, generator=g), 2),
                        "cotangent": _q(torch.randn(1, 3, 32, 32, generator=g), 2)},
        "unet": {"sample": _q(torch.randn(1, 4, 8, 8, generator=g), 2),
                 "timestep": torch.tensor([421], dtype=torch.int64),
                 "encoder_hidden_states": _halves(torch.randn(1, 77, CROSS_DIM, generator=g)),
                 "cotangent": _q(torch.randn(1, 4, 8, 8, generator=g), 2)},
        # a second point: batch 2 with a shape-[1] timestep (Expand broadcasts it), 6x6 latent (3x3 mid
        # level), a 5-token context (the "sequence" axis is dynamic) - and a JSON 6x smaller than 77 tokens
        "unet_opset17": {"sample": _q(torch.randn(2, 4, 6, 6, generator=g), 2),
                         "timestep": torch.tensor([981], dtype=torch.int64),
                         "encoder_hidden_states": _halves(torch.randn(2, 5, CROSS_DIM, generator=g)),
                         "cotangent": _q(torch.randn(2, 4, 6, 6, generator=g), 2)},
        "clip_vision": {"pixel_values": _q(torch.rand(1, 3, 32, 32, generator=g) * 4 - 2, 2),
                        "cotangent": _q(torch.randn(1, 16, generator=g), 2)},
        "clip_text": {"input_ids": torch.tensor([ids], dtype=torch.int64),
                      "cotangent": _q(torch.randn(1, 77, 32, generator=g), 2)},
    }


# --------------------------------------------------------------------------------------------
# export, files, JSON
# --------------------------------------------------------------------------------------------


def export_onnx(module, args, input_names, output_names, dynamic_axes, opset=14):
    """torch.onnx.export (TorchScript exporter) into memory; checked; returns the ModelProto."""
    import warnings
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.no_grad():
            torch.onnx.export(module, args, f, input_names=input_names, output_names=output_names,
                              dynamic_axes=dynamic_axes, opset_version=opset, do_constant_folding=True)
    model = onnx.load_from_string(f.getvalue())
    onnx.checker.check_model(model)
    return model


def write_bytes(path, data):
    """Atomic write: temporary file in the same folder, then rename."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-" + os.path.basename(path) + "-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def save_model(model, path):
    onnx.checker.check_model(model)
    return [write_bytes(path, model.SerializeToString())]


def save_model_external(model, path, location, size_threshold, convert_attribute):
    """onnx.save_model with external data, written into a fresh temporary folder (onnx appends to an
    existing data file) and then renamed into place, graph file last."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    tmpdir = tempfile.mkdtemp(dir=folder, prefix=".tmp-")
    try:
        model = copy.deepcopy(model)
        onnx.save_model(model, os.path.join(tmpdir, "model.onnx"), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=location, size_threshold=size_threshold,
                        convert_attribute=convert_attribute)
        onnx.checker.check_model(os.path.join(tmpdir, "model.onnx"))  # path form: resolves the external file
        for name in os.listdir(tmpdir):
            os.chmod(os.path.join(tmpdir, name), 0o644)
        os.replace(os.path.join(tmpdir, location), os.path.join(folder, location))
        os.replace(os.path.join(tmpdir, "model.onnx"), path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)
    return [path, os.path.join(folder, location)]


def _exp_short(s):
    """'1.5e-05' -> '1.5e-5', '2e+00' -> '2'."""
    if "e" not in s:
        return s
    mant, exp = s.split("e")
    e = int(exp)
    return mant if e == 0 else "%se%d" % (mant, e)


def fmt_f32(v):
    """Shortest decimal that round-trips to this float32 value (parse it, round to float32: same bits)."""
    v = np.float32(v)
    a = np.format_float_positional(v, unique=True, trim="-")
    b = _exp_short(np.format_float_scientific(v, unique=True, trim="-"))
    return a if len(a) <= len(b) else b


def fmt_ref(v):
    """A float64 reference rounded to REF_DIGITS significant digits, shortest spelling."""
    r = float("%.*e" % (REF_DIGITS - 1, float(v)))
    a = repr(r)
    a = _exp_short(a[:-2] if a.endswith(".0") else a)
    b = _exp_short(np.format_float_scientific(r, unique=True, trim="-"))
    return a if len(a) <= len(b) else b


def tensor_json(t, kind, with_dtype=True):
    """kind: 'exact' (float32/int64 input values) or 'ref' (float64 reference)."""
    a = t.detach().cpu().numpy()
    head = ""
    if kind == "exact":
        if a.dtype == np.int64:
            head, data = '"dtype": "int64", ', ",".join(str(int(x)) for x in a.reshape(-1))
        else:
            assert a.dtype == np.float32, a.dtype
            head, data = '"dtype": "float32", ', ",".join(fmt_f32(x) for x in a.reshape(-1))
        head = head if with_dtype else ""
    else:
        data = ",".join(fmt_ref(x) for x in a.astype(np.float64).reshape(-1))
    return '{%s"dims": %s, "data": [%s]}' % (head, json.dumps(list(a.shape)), data)


def vjp_json(model_file, opset, output, wrt, inputs, cotangent, expected):
    lines = ["{",
             '  "model": %s,' % json.dumps(model_file),
             '  "opset": %d,' % opset,
             '  "torch": %s,' % json.dumps(torch.__version__),
             '  "output": %s,' % json.dumps(output),
             '  "wrt": %s,' % json.dumps(wrt),
             '  "inputs": {']
    items = list(inputs.items())
    for i, (name, t) in enumerate(items):
        lines.append('    %s: %s%s' % (json.dumps(name), tensor_json(t, "exact"), "," if i < len(items) - 1 else ""))
    lines.append("  },")
    lines.append('  "cotangent": %s,' % tensor_json(cotangent, "exact", with_dtype=False))
    lines.append('  "expected": {')
    items = list(expected.items())
    for i, (name, t) in enumerate(items):
        lines.append('    %s: %s%s' % (json.dumps(name), tensor_json(t, "ref"), "," if i < len(items) - 1 else ""))
    lines.append("  }")
    lines.append("}")
    text = "\n".join(lines) + "\n"
    json.loads(text)  # well-formed
    return text.encode("utf-8")


def reference_vjp(module, inputs, output_index, wrt, cotangent):
    """torch.autograd VJP of a float64 copy of the same weights at the same (float32) inputs."""
    m64 = copy.deepcopy(module).double()
    args = []
    for name, t in inputs.items():
        if t.is_floating_point():
            args.append(t.double().requires_grad_(name in wrt))
        else:
            args.append(t.clone())
    out = m64(*args)
    if isinstance(out, (tuple, list)):
        out = out[output_index]
    with torch.no_grad():
        out32 = module(*inputs.values())
        if isinstance(out32, (tuple, list)):
            out32 = out32[output_index]
        rel = float((out32.double() - out).abs().max() / out.abs().max())
        assert rel < 1e-4, "float32 and float64 forwards disagree (%g)" % rel
    if not wrt:
        return {}, out.detach()
    names = list(inputs.keys())
    grads = torch.autograd.grad(out, [args[names.index(n)] for n in wrt], grad_outputs=cotangent.double())
    return {"grad_" + n: g for n, g in zip(wrt, grads)}, out.detach()


# --------------------------------------------------------------------------------------------
# float16 conversion (the one documented graph edit besides the external-data split)
# --------------------------------------------------------------------------------------------


def _float32_island(graph, input_name):
    """Nodes of diffusers' float32 timestep-embedding island.

    diffusers computes the sinusoidal embedding in float32 whatever the model dtype
    (`timesteps[:, None].float()` ... `t_emb.to(dtype=sample.dtype)`); a torch fp16 export therefore
    has Cast(to=FLOAT) -> Mul/Sin/Cos/Concat/Slice in float32 -> Cast(to=FLOAT16). In the float32
    export both Casts are to=FLOAT. Returns (start cast, island nodes, end casts)."""
    reach, start = {input_name}, None
    for n in graph.node:  # nodes are topologically sorted
        if any(i in reach for i in n.input):
            if n.op_type == "Cast" and onnx.helper.get_attribute_value(n.attribute[0]) == TensorProto.FLOAT:
                start = n
                break
            reach.update(n.output)
    assert start is not None, "no Cast(to=FLOAT) downstream of " + input_name
    island, ends, live = [], [], set(start.output)
    for n in graph.node:
        if any(i in live for i in n.input):
            if n.op_type == "Cast":
                ends.append(n)
            else:
                island.append(n)
                live.update(n.output)
    assert ends and all(onnx.helper.get_attribute_value(c.attribute[0]) == TensorProto.FLOAT for c in ends)
    return start, island, ends


def to_float16(model, float32_island_input=None):
    """Every float input, output, initializer and constant to FLOAT16, Cast(to=FLOAT) to FLOAT16, except:
    Resize's roi/scales (the ONNX schema wants float32 scales) and, for the UNet, the float32
    timestep-embedding island of `_float32_island` (its first Cast stays to=FLOAT)."""
    m = copy.deepcopy(model)
    g = m.graph
    keep_nodes, keep_tensors = set(), set()
    for n in g.node:
        if n.op_type == "Resize":
            keep_tensors.update(i for i in n.input[1:3] if i)
    if float32_island_input:
        start, island, _ = _float32_island(g, float32_island_input)
        keep_nodes.add(id(start))
        for n in island:
            keep_tensors.update(n.input)
    inits = []
    for t in g.initializer:
        if t.data_type == TensorProto.FLOAT and t.name not in keep_tensors:
            t = numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float16), t.name)
        inits.append(t)
    del g.initializer[:]
    g.initializer.extend(inits)
    for n in g.node:
        for a in n.attribute:
            if a.name in ("value_float", "value_floats"):
                raise ValueError("unexpected float attribute on " + n.name)
        if n.op_type in ("Constant", "ConstantOfShape") and not any(o in keep_tensors for o in n.output):
            for a in n.attribute:
                if a.name == "value" and a.t.data_type == TensorProto.FLOAT:
                    a.t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(a.t).astype(np.float16), a.t.name))
        elif n.op_type == "Cast" and id(n) not in keep_nodes:
            for a in n.attribute:
                if a.name == "to" and a.i == TensorProto.FLOAT:
                    a.i = TensorProto.FLOAT16
        elif n.op_type in ("RandomNormal", "RandomNormalLike", "RandomUniform", "RandomUniformLike"):
            for a in n.attribute:
                if a.name == "dtype" and a.i == TensorProto.FLOAT:
                    a.i = TensorProto.FLOAT16
    for v in list(g.input) + list(g.output) + list(g.value_info):
        if v.type.tensor_type.elem_type == TensorProto.FLOAT:
            v.type.tensor_type.elem_type = TensorProto.FLOAT16
    onnx.checker.check_model(m, full_check=True)  # strict type inference: no float/float16 mix left
    return m


# --------------------------------------------------------------------------------------------
# the fixtures
# --------------------------------------------------------------------------------------------

DIFFUSERS_UNET_AXES = {"sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}, "timestep": {0: "batch"},
                       "encoder_hidden_states": {0: "batch", 1: "sequence"}}
DIFFUSERS_VAE_ENCODER_AXES = {"sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}}
DIFFUSERS_VAE_DECODER_AXES = {"latent_sample": {0: "batch", 1: "channels", 2: "height", 3: "width"}}
OPTIMUM_UNET_AXES = {"sample": {0: "batch_size", 2: "height", 3: "width"},
                     "encoder_hidden_states": {0: "batch_size", 1: "sequence_length"},
                     "out_sample": {0: "batch_size", 2: "height", 3: "width"}}  # timestep: scalar, no axes
OPTIMUM_VAE_ENCODER_AXES = {"sample": {0: "batch_size", 2: "height", 3: "width"},
                            "latent_parameters": {0: "batch_size", 2: "height_latent", 3: "width_latent"}}
OPTIMUM_VAE_DECODER_AXES = {"latent_sample": {0: "batch_size", 2: "height_latent", 3: "width_latent"},
                            "sample": {0: "batch_size", 2: "height", 3: "width"}}
CLIP_VISION_AXES = {"pixel_values": {0: "batch_size", 1: "num_channels", 2: "height", 3: "width"},
                    "image_embeds": {0: "batch_size"}}
CLIP_TEXT_AXES = {"input_ids": {0: "batch_size", 1: "sequence_length"},
                  "last_hidden_state": {0: "batch_size", 1: "sequence_length"}, "pooler_output": {0: "batch_size"}}


def autodiff_cases(models, data):
    """(case, module, inputs, output names, output, output index, wrt, axes, opset)."""
    ad = data
    return [
        ("vae_encoder", models["vae_encoder"], {"sample": ad["vae_encoder"]["sample"]}, ["latent_parameters"],
         0, ["sample"], DIFFUSERS_VAE_ENCODER_AXES, 14),
        ("vae_decoder", models["vae_decoder"], {"latent_sample": ad["vae_decoder"]["latent_sample"]}, ["sample"],
         0, ["latent_sample"], DIFFUSERS_VAE_DECODER_AXES, 14),
        ("unet", models["unet"], {k: ad["unet"][k] for k in ("sample", "timestep", "encoder_hidden_states")},
         ["out_sample"], 0, ["sample", "encoder_hidden_states"], DIFFUSERS_UNET_AXES, 14),
        ("unet_opset17", models["unet"], {k: ad["unet_opset17"][k] for k in ("sample", "timestep", "encoder_hidden_states")},
         ["out_sample"], 0, ["sample", "encoder_hidden_states"], DIFFUSERS_UNET_AXES, 17),
        ("clip_vision", models["clip_vision"], {"pixel_values": ad["clip_vision"]["pixel_values"]}, ["image_embeds"],
         0, ["pixel_values"], CLIP_VISION_AXES, 14),
        ("clip_text", models["clip_text"], {"input_ids": ad["clip_text"]["input_ids"]},
         ["last_hidden_state", "pooler_output"], 0, [], CLIP_TEXT_AXES, 14),
    ]


def make_autodiff(models, data, out_dir):
    written = {}
    for case, module, inputs, out_names, out_index, wrt, axes, opset in autodiff_cases(models, data):
        cot = data[case if case in data else "clip_text"]["cotangent"]
        model = export_onnx(module, tuple(inputs.values()), list(inputs.keys()), out_names, axes, opset)
        written[case] = save_model(model, os.path.join(out_dir, case + ".onnx"))
        expected, _ = reference_vjp(module, inputs, out_index, wrt, cot)
        text = vjp_json(case + ".onnx", opset, out_names[out_index], wrt, inputs, cot, expected)
        written[case] += [write_bytes(os.path.join(out_dir, case + ".vjp.json"), text)]
    # the same text encoder seen from inputs_embeds: what cutting out the token-embedding Gather must give
    text_model = models["clip_text"]
    ids = data["clip_text"]["input_ids"]
    with torch.no_grad():
        embeds = text_model.embed(ids)
    expected, _ = reference_vjp(ClipTextFromEmbeds(text_model), {"inputs_embeds": embeds}, 0, ["inputs_embeds"],
                                data["clip_text"]["cotangent"])
    text = vjp_json("clip_text.onnx", 14, "last_hidden_state", ["inputs_embeds"],
                    {"input_ids": ids, "inputs_embeds": embeds}, data["clip_text"]["cotangent"], expected)
    written["clip_text_embeds"] = [write_bytes(os.path.join(out_dir, "clip_text_embeds.vjp.json"), text)]
    return written


def make_layouts(models, out_dir):
    """sd15-layout folders: the public exports' file names, I/O names, dtypes and dynamic axes."""
    g = torch.Generator().manual_seed(SEED + 200)
    unet, enc, dec = models["unet"], models["vae_encoder"], models["vae_decoder"]
    sample = torch.randn(2, 4, 8, 8, generator=g)  # the conversion scripts trace batch 2 (CFG)
    ehs = torch.randn(2, 77, CROSS_DIM, generator=g)
    image = torch.rand(1, 3, 64, 64, generator=g) * 2 - 1
    latent = torch.randn(1, 4, 8, 8, generator=g)
    unet_names = ["sample", "timestep", "encoder_hidden_states"]
    written = {}

    # diffusers scripts/convert_stable_diffusion_checkpoint_to_onnx.py (int64 timestep revision)
    d = os.path.join(out_dir, "diffusers")
    m = export_onnx(unet, (sample, torch.tensor([1, 2], dtype=torch.int64), ehs), unet_names, ["out_sample"],
                    DIFFUSERS_UNET_AXES)
    written["diffusers/unet"] = save_model_external(m, os.path.join(d, "unet", "model.onnx"), "weights.pb", 0, False)
    m = export_onnx(VaeEncoderSample(enc), (image,), ["sample"], ["latent_sample"], DIFFUSERS_VAE_ENCODER_AXES)
    written["diffusers/vae_encoder"] = save_model(m, os.path.join(d, "vae_encoder", "model.onnx"))
    m = export_onnx(dec, (latent,), ["latent_sample"], ["sample"], DIFFUSERS_VAE_DECODER_AXES)
    written["diffusers/vae_decoder"] = save_model(m, os.path.join(d, "vae_decoder", "model.onnx"))

    # optimum >= 1.24 (scalar float timestep, latent_parameters), and its fp16 variant
    o, h = os.path.join(out_dir, "optimum"), os.path.join(out_dir, "optimum-fp16")
    m = export_onnx(unet, (sample, torch.tensor(1.0), ehs), unet_names, ["out_sample"], OPTIMUM_UNET_AXES)
    # optimum's onnx.save(..., location=name + "_data", size_threshold=1024, convert_attribute=True)
    written["optimum/unet"] = save_model_external(m, os.path.join(o, "unet", "model.onnx"), "model.onnx_data",
                                                  1024, True)
    written["optimum-fp16/unet"] = save_model_external(to_float16(m, "timestep"),
                                                       os.path.join(h, "unet", "model.onnx"), "model.onnx_data",
                                                       1024, True)
    m = export_onnx(enc, (image,), ["sample"], ["latent_parameters"], OPTIMUM_VAE_ENCODER_AXES)
    written["optimum/vae_encoder"] = save_model(m, os.path.join(o, "vae_encoder", "model.onnx"))
    written["optimum-fp16/vae_encoder"] = save_model(to_float16(m), os.path.join(h, "vae_encoder", "model.onnx"))
    m = export_onnx(dec, (latent,), ["latent_sample"], ["sample"], OPTIMUM_VAE_DECODER_AXES)
    written["optimum/vae_decoder"] = save_model(m, os.path.join(o, "vae_decoder", "model.onnx"))
    written["optimum-fp16/vae_decoder"] = save_model(to_float16(m), os.path.join(h, "vae_decoder", "model.onnx"))
    return written


# ops the autodiff's rule set is meant to cover (from its brief); README lists anything else a graph has
CORE_OPS = set("""Conv ConvTranspose Gemm MatMul Add Sub Mul Div Pow Sqrt Exp Log Sigmoid Tanh Erf Softmax Sin Cos Neg
Relu ReduceMean ReduceSum InstanceNormalization LayerNormalization GroupNormalization Reshape Transpose Flatten Squeeze
Unsqueeze Concat Split Slice Gather Pad Resize Expand Where Identity Cast Constant ConstantOfShape RandomNormalLike
Shape Range Equal""".split())

DTYPE_NAMES = {TensorProto.FLOAT: "float32", TensorProto.FLOAT16: "float16", TensorProto.INT64: "int64",
               TensorProto.INT32: "int32"}


def _signature(values):
    out = []
    for v in values:
        t = v.type.tensor_type
        dims = [d.dim_param if d.dim_param else str(d.dim_value) for d in t.shape.dim]
        out.append("`%s` %s [%s]" % (v.name, DTYPE_NAMES.get(t.elem_type, str(t.elem_type)), ",".join(dims)))
    return ", ".join(out)


def _sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


README_HEAD = """# Test fixtures

<!-- Generated by models/export/make_fixtures.py; edit the script, not this file. -->

Everything under `autodiff/` and `sd15-layouts/` (and this README) is generated by one deterministic
script and committed, so **CI never needs torch or Python**: the TypeScript tests only read these files
(onnxruntime-node runs the graphs).

    /usr/bin/python3 models/export/make_fixtures.py           # regenerate in place (about 10 s)
    /usr/bin/python3 models/export/make_fixtures.py --verify  # regenerate into a temp folder, compare sha256s

Made with Python {python}, torch {torch} (Debian's build; the TorchScript exporter `torch.onnx.export`,
`do_constant_folding=True`), onnx {onnx}, numpy {numpy}. Regeneration is **byte-identical**: two runs give the
same sha256 for every file (checked; the script pins seeds, uses one torch thread and deterministic
algorithms, and writes external-data files into a fresh folder). Other torch/onnx versions will give other
bytes (node names, exporter patterns), so regenerate only with these versions or expect a diff.

Files are written atomically (temporary file + rename). `clip/tokenizer-python.json` is older and not made by
this script (see `test/engine/clip/tokenizer.test.ts`).

## What the graphs are

Small networks with the **block structure of diffusers / transformers**, re-implemented in plain torch
(diffusers and transformers are not used) with tiny widths and random weights (seeded; GroupNorm/LayerNorm
affine parameters are perturbed away from 1/0 so a dropped scale or shift changes the VJPs). Only the
structure is realistic; the outputs mean nothing.

| network | structure |
|---|---|
| VAE encoder | conv_in 3→4; 4 DownEncoder blocks (widths 4, 8, 8, 8; one ResnetBlock2D each; the first three end in diffusers' VAE Downsample2D: `F.pad(x, (0,1,0,1))` + conv 3×3 stride 2 no padding, so factor 8); mid block ResnetBlock2D → VAE attention (GroupNorm, q/k/v Linear on [B,HW,C], softmax(qkᵀ/√C)v, out Linear, residual) → ResnetBlock2D; GroupNorm+SiLU+conv_out → 8 channels (mean‖logvar); quant_conv 1×1 8→8. ResnetBlock2D = (GroupNorm, SiLU, conv 3×3) twice, 1×1 conv shortcut when widths differ. GroupNorm groups 4, eps 1e-6 |
| VAE decoder | post_quant_conv 1×1 4→4; conv_in 4→8; mid block (resnet, attention, resnet); 4 UpDecoder blocks (widths 8, 8, 8, 4; one resnet each; the first three end in Upsample2D: `F.interpolate(scale_factor=2, mode="nearest")` + conv 3×3); GroupNorm+SiLU+conv_out → 3 |
| UNet | `get_timestep_embedding` exactly as diffusers (float32 `exp(-ln(10000)·arange(4)/4)`, sin‖cos, flip_sin_to_cos=True, freq_shift 0) of the timestep broadcast with `expand(batch)` → Linear 8→32, SiLU, Linear 32→32; conv_in 4→8; down block: ResnetBlock2D (+ Linear time-embedding projection) → Transformer2D (GroupNorm, 1×1-conv proj_in as SD1.5, BasicTransformerBlock, 1×1-conv proj_out, residual) → Downsample2D (conv 3×3 stride 2 pad 1); mid block: resnet → Transformer2D with **Linear** proj_in/proj_out (as SD2) → resnet; up block 0: resnet on [mid ‖ downsampled skip] → Upsample2D (nearest ×2 + conv); up block 1: resnet on [hidden ‖ down-block skip]; GroupNorm+SiLU+conv_out → 4. BasicTransformerBlock: LayerNorm→self-attention, LayerNorm→cross-attention to `encoder_hidden_states` (keys/values from 768), LayerNorm→FeedForward with GEGLU (Linear to 2·32, chunk, `x * gelu(gate)` with erf GELU, Linear 32→8); 2 heads × 4. One resolution level, so any even latent side works (2 … 64 checked) |
| CLIP vision | `pixel_values` **[B,3,32,32]** (not 224: keeps the JSON small), patch conv 8×8 stride 8 without bias → 16 patches, class token Concat, position-embedding Add, pre-LayerNorm, 2 encoder layers (LayerNorm, 2-head attention, LayerNorm, MLP 32→64→32 with QuickGELU `x·sigmoid(1.702x)`), post-LayerNorm on token 0 (Gather), Linear 32→16 without bias → `image_embeds` |
| CLIP text | `input_ids` int64 [B,77] (sequence axis dynamic, as optimum), token Embedding (vocab **1000**, width 32) + position Embedding of `position_ids[:, :seq]`, transformers' causal mask (`empty().fill_(finfo.min).triu_(1)`), 1 encoder layer (2 heads, MLP 64, QuickGELU), final LayerNorm → `last_hidden_state` [B,77,32]; `pooler_output` = hidden state at `input_ids.to(int).argmax(-1)` (as transformers' CLIPTextTransformer). Ids: BOS 998, 20 words, EOS 999 padded with 999 (SD1.5 pads with EOS) |

## autodiff/: reference VJPs

For each case `<case>.onnx` (a float32 export) and `<case>.vjp.json`:

```
{{ "model": "<case>.onnx", "opset": 14, "torch": "{torch}", "output": "<output name>", "wrt": ["<input>", ...],
  "inputs":    {{ "<name>": {{"dtype": "float32"|"int64", "dims": [...], "data": [...]}} }},   // every graph input
  "cotangent": {{ "dims": [...], "data": [...] }},                                         // for "output"
  "expected":  {{ "grad_<input>": {{"dims": [...], "data": [...]}} }} }}                     // one per "wrt"
```

- `data` is row-major. Input and cotangent values are float32 numbers written as the shortest decimal that
  parses back to the same float32 (`Float32Array.from(data)` gives the exact bits); they were rounded to a
  few decimals before use, so they are short. int64 values are plain JSON integers.
- `expected` = `torch.autograd.grad(out, wrt, grad_outputs=cotangent)` computed on a **float64** copy of the
  same weights at the same inputs (cast from float32), stored with {digits} significant digits. The float32
  graph run by onnxruntime agrees with torch's float32 forward to ~1e-6 relative, so a float32 VJP graph
  should match `expected` to about 1e-5 of max|expected|; `1e-4 · max|expected|` is a safe tolerance.
- The shape paths the exporter emits for dynamic axes (Shape/Gather/Unsqueeze/Concat/Cast, the Pad and
  Slice bounds) carry no gradient; they are in the graphs on purpose.
- Checked outside CI: each graph was run with onnxruntime-node on the JSON inputs (matches torch float32),
  and each stored VJP agrees with a central finite difference of the ONNX graph,
  `<cotangent, (f(x+εv) − f(x−εv))/2ε>` vs `<expected, v>` for a random direction v (ε = 1e-2 and 3e-3;
  agreement better than 1e-3 relative, which is all float32 finite differences can resolve).

| case | graph inputs → output (as exported; dims in words are symbolic) | wrt | opset | JSON point |
|---|---|---|---|---|"""

README_CASE_NOTES = {
    "vae_encoder": "sample [1,3,32,32] in [-1,1] → [1,8,4,4]",
    "vae_decoder": "latent [1,4,4,4] → [1,3,32,32]",
    "unet": "sample [1,4,8,8], timestep [421], context [1,77,768] in multiples of 0.5",
    "unet_opset17": "same weights, a second point: sample [2,4,6,6] (3×3 mid level), timestep [981] (shape [1], broadcast to batch 2 by Expand), context [2,5,768] (the sequence axis is dynamic)",
    "clip_vision": "pixel_values [1,3,32,32] in [-2,2] → [1,16]",
    "clip_text": "input_ids [1,77]; `wrt` is empty (the graph is for the embedding-surgery test); `expected` is {}",
    "clip_text_embeds": "model `clip_text.onnx`; inputs = `input_ids` and `inputs_embeds` = token_embedding(input_ids) [1,77,32] (exact float32 weights); `expected.grad_inputs_embeds` = VJP of `last_hidden_state` w.r.t. inputs_embeds: what cutting out the token-embedding Gather and differentiating must reproduce. Same cotangent as clip_text",
}

README_LAYOUTS = """
## sd15-layouts/: the public exports' layouts, in miniature

The same UNet / VAE weights as `autodiff/`, exported with the public converters' names, dtypes, dynamic
axes and file layouts (see ../shared/reference/model-interfaces.md §1). No text encoder (the tests add their own).

- `diffusers/`: like diffusers' `scripts/convert_stable_diffusion_checkpoint_to_onnx.py` (opset 14, the
  revision with an int64 timestep). The UNet is traced with batch 2 and saved with **all** initializers in one
  external file `weights.pb` (`save_as_external_data=True, all_tensors_to_one_file=True,
  location="weights.pb", size_threshold=0`). The VAE encoder returns `latent_sample` =
  `mean + exp(0.5·clamp(logvar,-30,20)) · randn(mean.shape)` computed **inside the graph** (as
  `encode(sample).latent_dist.sample()`): the exporter emits ConstantOfShape → RandomNormalLike, so this
  output is random at every run (its `(out − mean)/std` was checked to look standard normal).
- `optimum/`: like `optimum-cli export onnx` ≥ 1.24 (opset 14): `timestep` is a float32 **scalar** (rank 0;
  the graph unsqueezes and expands it), the VAE encoder returns `latent_parameters` (mean‖logvar, no sampling),
  the UNet keeps its weights in `model.onnx_data` saved as optimum does it (`location="model.onnx_data",
  size_threshold=1024, convert_attribute=True`), so tensors under 1 KiB stay inside `model.onnx`.
- `optimum-fp16/`: `optimum/` converted to float16 with the onnx Python API (the only graph edit besides the
  external-data split): every float32 initializer, Constant / ConstantOfShape value, graph input and output
  becomes float16 and every `Cast(to=FLOAT)` becomes `Cast(to=FLOAT16)`, with two exceptions: Resize's
  `scales` stay float32 (the ONNX schema requires it), and the UNet's timestep embedding stays a float32
  island as in a real fp16 export (diffusers computes it as `timesteps[:, None].float()` … `t_emb.to(dtype)`:
  the first Cast stays `to=FLOAT`, the island's constants stay float32, the closing Cast becomes `to=FLOAT16`
  before the first Gemm). `onnx.checker.check_model(full_check=True)` passes, so no float32/float16 mix is left.

Checked outside CI with onnxruntime-node {ort}: every graph loads and runs; float32 outputs match torch's
float32 forward to < 2e-6 relative (UNet latent sizes 2×2, 4×4, 8×8, 6×10 and 64×64, batch 1 and 2, int64
timestep of shape [1] with batch 2; VAE images 16×16, 24×40, 64×64); float16 outputs match within 2e-3.

| layout | inputs → outputs (as exported) |
|---|---|"""

README_QUIRKS = """
## Exporter patterns worth knowing (torch 1.13 TorchScript exporter)

- GroupNorm → Reshape to [0, groups, -1] → InstanceNormalization (Constant scale ones, bias zeros) →
  Reshape to Shape(x) → Mul (weight, [C,1,1]) → Add (bias), at opset 14 and 17 (GroupNormalization is opset 18; torch 1.13 stops at 17).
- LayerNorm → ReduceMean, Sub, Pow(2), ReduceMean, Add(eps), Sqrt, Div, Mul, Add at opset 14; one
  LayerNormalization node at opset 17 (`unet_opset17`, `axis=-1`).
- nn.Linear with bias on 2-D input → Gemm (UNet time embedding and the resnets' time projections);
  otherwise → MatMul with a pre-transposed weight initializer (named `onnx::MatMul_NNN`), + Add if biased
  (CLIP's bias-free `visual_projection` on the pooled [B,32] is a plain MatMul).
- `.float()` and `.to(sample.dtype)` emit Cast(to=FLOAT) even when the tensor is float32 already.
- `F.interpolate(scale_factor=2, mode="nearest")` → Resize(X, roi="", scales=Constant [1,1,2,2]),
  nearest / asymmetric / floor.
- `F.pad(x, (0,1,0,1))` → Pad whose `pads` input is computed in the graph from constants only
  (ConstantOfShape → Concat → Reshape → Slice → Transpose → Reshape → Cast); the constant folder leaves it.
- `chunk(2, -1)` (GEGLU) and `chunk(2, 1)` (VAE sampling) → two Slice nodes whose bounds come from Shape.
- Multi-head reshapes with dynamic axes → Shape → Gather → Unsqueeze → Concat → Reshape, plus
  `dim // heads` as Div → Cast(INT64) → Cast(INT64).
- `timesteps.expand(batch)` → Expand whose shape is `Where(Equal(shape, -1), ones, shape)` (ConstantOfShape).
- `torch.clamp` → **Clip** (min/max as inputs); `torch.randn(shape)` with a traced shape → ConstantOfShape +
  **RandomNormalLike** (diffusers layout VAE encoder only).
- CLIP text: the causal mask's `triu_(1)` → **Trilu** (why optimum requires opset 14); `argmax` → **ArgMax**;
  `hidden[arange(B), argmax]` → Range, Mul, Add, Flatten, Gather; `input_ids.to(torch.int)` → Cast(INT32).
- Residual `… / output_scale_factor` with 1.0 stays a Div by a constant 1.
"""


def write_readme(out_root, written):
    import platform
    lines = [README_HEAD.format(python=platform.python_version(), torch=torch.__version__, onnx=onnx.__version__,
                                numpy=np.__version__, digits=REF_DIGITS)]
    ad = os.path.join(out_root, "autodiff")
    for case in ["vae_encoder", "vae_decoder", "unet", "unet_opset17", "clip_vision", "clip_text", "clip_text_embeds"]:
        j = json.load(open(os.path.join(ad, case + ".vjp.json")))
        m = onnx.load(os.path.join(ad, j["model"]), load_external_data=False)
        sig = _signature(m.graph.input) + " → " + _signature(m.graph.output)
        lines.append("| `%s` | %s | %s | %d | %s |" % (case, sig if case != "clip_text_embeds" else "(clip_text.onnx) output `%s`" % j["output"],
                                                     ", ".join("`%s`" % w for w in j["wrt"]) or "none", j["opset"],
                                                     README_CASE_NOTES[case]))
    ort_version = "?"
    try:
        with open(os.path.join(ROOT, "node_modules", "onnxruntime-node", "package.json")) as fh:
            ort_version = json.load(fh)["version"]
    except OSError:
        pass
    lines.append(README_LAYOUTS.format(ort=ort_version))
    lay = os.path.join(out_root, "sd15-layouts")
    graphs = []
    for key in ["diffusers/unet", "diffusers/vae_encoder", "diffusers/vae_decoder", "optimum/unet",
                "optimum/vae_encoder", "optimum/vae_decoder", "optimum-fp16/unet", "optimum-fp16/vae_encoder",
                "optimum-fp16/vae_decoder"]:
        path = os.path.join(lay, key, "model.onnx")
        m = onnx.load(path, load_external_data=False)
        lines.append("| `%s/model.onnx` | %s → %s |" % (key, _signature(m.graph.input), _signature(m.graph.output)))
    lines.append("\n## Op types per graph\n")
    lines.append("Sorted set of `op_type`s (node count in parentheses). **Bold**: outside the op list the autodiff was")
    lines.append("asked to cover (" + ", ".join(sorted(CORE_OPS)) + ").\n")
    graph_files = [os.path.join("autodiff", c + ".onnx") for c in
                   ["vae_encoder", "vae_decoder", "unet", "unet_opset17", "clip_vision", "clip_text"]]
    graph_files += [os.path.join("sd15-layouts", k, "model.onnx") for k in
                    ["diffusers/unet", "diffusers/vae_encoder", "diffusers/vae_decoder", "optimum/unet",
                     "optimum/vae_encoder", "optimum/vae_decoder", "optimum-fp16/unet", "optimum-fp16/vae_encoder",
                     "optimum-fp16/vae_decoder"]]
    for rel in graph_files:
        m = onnx.load(os.path.join(out_root, rel), load_external_data=False)
        counts = {}
        for n in m.graph.node:
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
        ops = ", ".join(("**%s**" if op not in CORE_OPS else "%s") % op + " (%d)" % counts[op] for op in sorted(counts))
        lines.append("- `%s` (opset %d, %d nodes): %s" % (rel, m.opset_import[0].version, len(m.graph.node), ops))
    lines.append(README_QUIRKS)
    lines.append("## Files\n")
    lines.append("| file | bytes | sha256 |")
    lines.append("|---|---:|---|")
    total = 0
    for paths in written.values():
        for p in paths:
            size = os.path.getsize(p)
            total += size
            lines.append("| `%s` | %d | `%s` |" % (os.path.relpath(p, out_root), size, _sha256(p)))
    lines.append("")
    lines.append("Total %d bytes (%.2f MB) plus this README. Every file is under 600 kB except `autodiff/unet.vjp.json`:" % (total, total / 1e6))
    lines.append("its context `[1,77,768]` and the matching gradient are 2 × 59,136 numbers, and the gradient needs")
    lines.append("%d significant digits (about 11 characters each) to stay an accurate reference." % REF_DIGITS)
    text = "\n".join(lines) + "\n"
    return write_bytes(os.path.join(out_root, "README.md"), text.encode("utf-8"))


def generate(out_root):
    torch.set_num_threads(1)  # same reduction order every run
    torch.use_deterministic_algorithms(True)
    models = build_models()
    data = build_inputs()
    written = make_autodiff(models, data, os.path.join(out_root, "autodiff"))
    written.update(make_layouts(models, os.path.join(out_root, "sd15-layouts")))
    readme = write_readme(out_root, written)
    written["README"] = [readme]
    return written


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=OUT, help="fixtures root (default: test/fixtures)")
    parser.add_argument("--verify", action="store_true",
                        help="regenerate into a temporary folder and compare sha256s with the files in --out")
    a = parser.parse_args()
    if a.verify:
        tmp = tempfile.mkdtemp(prefix="make_fixtures-")
        try:
            written = generate(tmp)
            bad = 0
            for paths in written.values():
                for p in paths:
                    rel = os.path.relpath(p, tmp)
                    mine = os.path.join(a.out, rel)
                    same = os.path.exists(mine) and _sha256(mine) == _sha256(p)
                    bad += not same
                    print("%s  %s" % ("same" if same else "DIFF", rel))
            print("byte-identical" if not bad else "%d file(s) differ" % bad)
            sys.exit(1 if bad else 0)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    written = generate(a.out)
    for paths in written.values():
        for p in paths:
            print("%8d  %s" % (os.path.getsize(p), os.path.relpath(p, ROOT)))


if __name__ == "__main__":
    main()
