#!/usr/bin/python3
"""Golden fixtures for @gated/nn, computed once with PyTorch and committed (CI does not need PyTorch).

Run with Debian's PyTorch (apt-get install python3-torch):   pnpm --filter @gated/nn fixtures
which runs:   /usr/bin/python3 scripts/make_fixtures.py test/fixtures

For each case it builds torch's nn.RNN / nn.LSTM / nn.GRU (batch_first=True) in float64 from weights rounded to
float32, runs it on a random input (optionally with h0/c0 and with variable lengths through packed sequences),
and evaluates the fixed loss  L = sum(output * R) + sum(h_n * S) [+ sum(c_n * U)]  with random R, S, U. It
writes one safetensors file per case holding the weights (param.<name>), the input, h0/c0, lengths, R/S/U, the
outputs (output, h_n, c_n) and the gradient of L with respect to every parameter (grad.<name>) and the input
(grad.input), all float64; the case's configuration goes in the metadata.

It also writes lstm-state-dict.safetensors: a plain nn.LSTM state_dict (float32, PyTorch's names), which the
tests load as is. And, when scripts/export-lstm.mjs has written ours-lstm.safetensors (a state dict made by
@gated/nn) beside the fixtures, it loads that into nn.LSTM with strict=True and checks the outputs agree.
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torch

SEED = 20261125
DTYPES = {np.dtype("float64"): "F64", np.dtype("float32"): "F32"}


def write_safetensors(path, tensors, metadata):
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        a = np.ascontiguousarray(tensors[name])
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":"))
    text += " " * ((8 - (8 + len(text.encode())) % 8) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text.encode())))
        f.write(text.encode())
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)


def read_safetensors(path):
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8 : 8 + n])
    data = blob[8 + n :]
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dt = {"F32": np.float32, "F64": np.float64}[info["dtype"]]
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype=np.dtype(dt).newbyteorder("<")).reshape(info["shape"])
    return out


def f32_round(module):
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(p.float().double())


def case(name, kind, out_dir, input_size=4, hidden=5, layers=1, bidirectional=False, nonlinearity="tanh", B=3, T=6, lengths=None, initial_state=False):
    torch.manual_seed(SEED + sum(map(ord, name)))
    cls = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[kind]
    kwargs = dict(num_layers=layers, bidirectional=bidirectional, batch_first=True)
    if kind == "rnn":
        kwargs["nonlinearity"] = nonlinearity
    m = cls(input_size, hidden, **kwargs).double()
    f32_round(m)
    D = 2 if bidirectional else 1
    x = torch.randn(B, T, input_size, dtype=torch.float64).float().double().requires_grad_(True)
    h0 = torch.randn(layers * D, B, hidden, dtype=torch.float64).float().double() if initial_state else None
    c0 = torch.randn(layers * D, B, hidden, dtype=torch.float64).float().double() if initial_state and kind == "lstm" else None
    state = None if h0 is None else ((h0, c0) if kind == "lstm" else h0)
    if lengths is not None:
        packed = torch.nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
        out_packed, hn = m(packed, state)
        out, _ = torch.nn.utils.rnn.pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    else:
        out, hn = m(x, state)
    h_n, c_n = (hn if kind == "lstm" else (hn, None))
    R = torch.randn_like(out)
    S = torch.randn_like(h_n)
    loss = (out * R).sum() + (h_n * S).sum()
    U = None
    if c_n is not None:
        U = torch.randn_like(c_n)
        loss = loss + (c_n * U).sum()
    names = [n for n, _ in m.named_parameters()]
    grads = torch.autograd.grad(loss, [x] + list(m.parameters()))
    t = {"input": x, "output": out, "h_n": h_n, "R": R, "S": S, "grad.input": grads[0]}
    for n, p, g in zip(names, m.parameters(), grads[1:]):
        t["param." + n] = p
        t["grad." + n] = g
    if c_n is not None:
        t["c_n"], t["U"] = c_n, U
    if h0 is not None:
        t["h0"] = h0
    if c0 is not None:
        t["c0"] = c0
    if lengths is not None:
        t["lengths"] = torch.tensor(lengths, dtype=torch.float64)
    arrays = {k: v.detach().numpy().astype(np.float64) for k, v in t.items()}
    meta = dict(mode=("rnn_" + nonlinearity) if kind == "rnn" else kind, input_size=input_size, hidden_size=hidden, num_layers=layers,
                bidirectional=str(bidirectional).lower(), loss="sum(output*R)+sum(h_n*S)" + ("+sum(c_n*U)" if c_n is not None else ""),
                torch_version=torch.__version__)
    write_safetensors(os.path.join(out_dir, name + ".safetensors"), arrays, meta)
    print(f"{name}: loss {loss.item():.6f}, {len(arrays)} tensors")
    return m


OPTIMIZERS = {
    "sgd": ("SGD", dict(lr=0.1)),
    "sgd_momentum": ("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.01)),
    "sgd_nesterov": ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    "adam": ("Adam", dict(lr=0.01, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.1)),
    "adamw": ("AdamW", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05)),
    "rmsprop": ("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-8)),
    "rmsprop_momentum": ("RMSprop", dict(lr=0.01, alpha=0.99, eps=1e-8, momentum=0.5, weight_decay=0.01)),
}


def optimizers(out_dir):
    """Four steps of each torch.optim optimiser on a fixed parameter with a fixed gradient sequence (float64)."""
    torch.manual_seed(SEED)
    p0 = torch.randn(7, dtype=torch.float64)
    gs = [torch.randn(7, dtype=torch.float64) for _ in range(4)]
    t = {"param": p0.numpy()}
    for i, g in enumerate(gs):
        t[f"grad{i}"] = g.numpy()
    for name, (cls, kw) in OPTIMIZERS.items():
        p = p0.clone().requires_grad_(True)
        opt = getattr(torch.optim, cls)([p], **kw)
        for g in gs:
            opt.zero_grad()
            p.grad = g.clone()
            opt.step()
        t[name] = p.detach().numpy().copy()
    meta = {name: json.dumps({"class": cls, **{k: list(v) if isinstance(v, tuple) else v for k, v in kw.items()}}) for name, (cls, kw) in OPTIMIZERS.items()}
    write_safetensors(os.path.join(out_dir, "optimizers.safetensors"), t, meta)
    print("optimizers: written")


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "test/fixtures"
    os.makedirs(out_dir, exist_ok=True)
    torch.set_num_threads(1)
    case("rnn-tanh", "rnn", out_dir, nonlinearity="tanh")
    case("rnn-relu", "rnn", out_dir, nonlinearity="relu", layers=2, initial_state=True)
    case("lstm-2layer-bidirectional", "lstm", out_dir, layers=2, bidirectional=True, initial_state=True)
    case("gru-2layer", "gru", out_dir, layers=2, initial_state=True)
    case("lstm-bidirectional-lengths", "lstm", out_dir, bidirectional=True, lengths=[6, 3, 1])
    case("gru-lengths", "gru", out_dir, lengths=[2, 6, 4])
    optimizers(out_dir)

    # A plain state dict, as a user would save it from torch (float32, PyTorch's names only).
    torch.manual_seed(SEED)
    lstm = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, batch_first=True)
    x = torch.randn(2, 3, 4)
    out, _ = lstm(x)
    sd = {k: v.detach().numpy() for k, v in lstm.state_dict().items()}
    write_safetensors(os.path.join(out_dir, "lstm-state-dict.safetensors"), sd, {"format": "pt"})
    write_safetensors(os.path.join(out_dir, "lstm-state-dict-io.safetensors"), {"input": x.numpy(), "output": out.detach().numpy()}, {})
    print("lstm-state-dict: written")

    # Ours loads there: a state dict written by @gated/nn goes into nn.LSTM(strict=True) and gives our outputs.
    here = os.path.dirname(os.path.abspath(__file__))
    exported = os.path.join(out_dir, "ours-lstm.safetensors")
    subprocess.run(["node", os.path.join(here, "export-lstm.mjs"), out_dir], check=True)
    ours = read_safetensors(exported)
    io = read_safetensors(os.path.join(out_dir, "ours-lstm-io.safetensors"))
    m = torch.nn.LSTM(4, 5, num_layers=2, bidirectional=True, batch_first=True)
    m.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.items()}, strict=True)
    got, _ = m(torch.from_numpy(io["input"].copy()))
    err = float((got.detach() - torch.from_numpy(io["output"].copy())).abs().max())
    print(f"ours-lstm: loaded into torch.nn.LSTM with strict=True; max |torch - gated| = {err:.3g}")
    if err > 1e-5:
        sys.exit(f"ours-lstm: outputs differ by {err}")


if __name__ == "__main__":
    main()
