"""The PyTorch side of `pnpm bench lstm`: the same models as apps/bench/src/lstm.ts, on THREADS threads (default 1).

Usage: python3 torch_lstm.py SECONDS HIDDEN[,HIDDEN...] GEN_TOKENS [THREADS]
Prints one JSON object per line: {"suite", "hidden", "cell", "tokens_per_s"}, and first {"suite": "gemm", "gflops"} for
its own sgemm 32x320x1024 (a reference BLAS there would make every comparison meaningless).
Training: embedding 96->64, one recurrent layer (LSTM or GRU, H), linear ->96, mean cross-entropy, Adam (lr 2e-3),
clipping at global norm 5, B=32, T=64. Generation: 500 greedy tokens one at a time at the largest H, B=1, LSTM.
"""
import json
import sys
import time

import torch

V, E, B, T, CLIP, LR = 96, 64, 32, 64, 5.0, 2e-3


def timed(step, seconds):
    """Seconds per call: one warm-up call, then as many calls as fit in `seconds` (at least 3)."""
    step()
    n, start = 0, time.perf_counter()
    while n < 3 or time.perf_counter() - start < seconds:
        step()
        n += 1
    return (time.perf_counter() - start) / n


class Model(torch.nn.Module):
    def __init__(self, cell, hidden):
        super().__init__()
        self.embed = torch.nn.Embedding(V, E)
        self.rnn = (torch.nn.LSTM if cell == "lstm" else torch.nn.GRU)(E, hidden, batch_first=True)
        self.head = torch.nn.Linear(hidden, V)

    def forward(self, x, state=None):
        y, state = self.rnn(self.embed(x), state)
        return self.head(y), state


def train_rate(cell, hidden, seconds):
    torch.manual_seed(hidden)
    model = Model(cell, hidden)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    g = torch.Generator().manual_seed(1)
    seq = torch.randint(0, V, (B, T + 1), generator=g)
    x, y = seq[:, :-1], seq[:, 1:]

    def step():
        opt.zero_grad()
        logits, _ = model(x)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, V), y.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
        opt.step()

    return B * T / timed(step, seconds)


def generate_rate(hidden, tokens, seconds):
    torch.manual_seed(hidden)
    model = Model("lstm", hidden).eval()

    def run():
        with torch.no_grad():
            state, tok = None, torch.zeros((1, 1), dtype=torch.long)
            for _ in range(tokens):
                logits, state = model(tok, state)
                tok = logits[:, -1].argmax(-1, keepdim=True)

    return tokens / timed(run, seconds)


def gemm_rate(seconds):
    a, b = torch.randn(32, 320), torch.randn(320, 1024)
    return 2 * 32 * 320 * 1024 / timed(lambda: a @ b, seconds) / 1e9


def main():
    seconds = float(sys.argv[1])
    hidden = [int(h) for h in sys.argv[2].split(",")]
    tokens = int(sys.argv[3])
    torch.set_num_threads(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    print(json.dumps({"suite": "gemm", "shape": "32x320x1024", "gflops": gemm_rate(seconds)}), flush=True)
    for cell in ("lstm", "gru"):
        for h in hidden:
            rate = train_rate(cell, h, seconds)
            print(json.dumps({"suite": f"{cell}-train", "hidden": h, "cell": cell, "tokens_per_s": rate}), flush=True)
    print(json.dumps({"suite": "lstm-generate", "hidden": max(hidden), "cell": "lstm", "tokens_per_s": generate_rate(max(hidden), tokens, seconds)}), flush=True)


if __name__ == "__main__":
    main()
