# Builds the BERT parity fixtures with the real thing (run with /work/venv/bin/python from this folder;
# torch 2.13.0+cpu, transformers 5.24, safetensors): a tiny random BertModel saved as a Hugging Face
# folder (tiny/: config.json, model.safetensors, vocab.txt), the same weights in float16 (tiny-fp16/),
# and expected.safetensors with Hugging Face's outputs for two padded batches: last hidden states,
# mean- and cls-pooled vectors, and for a fixed classifier on each pooling, the mean cross-entropy
# and the torch autograd gradients of a few parameters (eval mode: no dropout, so they are exact).
import json
import os
import shutil

import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertModel

torch.manual_seed(11)
config = BertConfig(
    vocab_size=100, hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
    max_position_embeddings=32, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
)
config._attn_implementation = "eager"
model = BertModel(config)
# Larger than the 0.02 initialisation so attention is far from uniform and LayerNorm gains and
# biases are not the identity: the comparison then exercises every term.
with torch.no_grad():
    for name, parameter in model.named_parameters():
        parameter.add_(torch.randn_like(parameter) * (0.3 if parameter.dim() > 1 else 0.1))
model.eval()

shutil.rmtree("tiny", ignore_errors=True)
model.save_pretrained("tiny", safe_serialization=True)
for extra in os.listdir("tiny"):
    if extra not in ("config.json", "model.safetensors"):
        os.remove(os.path.join("tiny", extra))
words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(95)]
with open("tiny/vocab.txt", "w") as f:
    f.write("\n".join(words) + "\n")

shutil.rmtree("tiny-fp16", ignore_errors=True)
os.makedirs("tiny-fp16")
shutil.copy("tiny/config.json", "tiny-fp16/config.json")
shutil.copy("tiny/vocab.txt", "tiny-fp16/vocab.txt")
half = {name: value.detach().to(torch.float16).contiguous() for name, value in model.state_dict().items()}
save_file(half, "tiny-fp16/model.safetensors", metadata={"format": "pt"})

generator = torch.Generator().manual_seed(5)
batches = [
    ([8, 5, 3], True),  # padded, with a second segment in row 0
    ([4, 4], False),  # no padding, token types absent
]
classes = 3
heads = {
    pooling: (torch.randn(classes, 32, generator=generator) * 0.5, torch.randn(classes, generator=generator) * 0.1)
    for pooling in ("cls", "mean")
}
gradient_names = [
    "embeddings.word_embeddings.weight",
    "embeddings.position_embeddings.weight",
    "embeddings.LayerNorm.weight",
    "encoder.layer.0.attention.self.query.weight",
    "encoder.layer.0.attention.self.value.bias",
    "encoder.layer.1.intermediate.dense.weight",
    "encoder.layer.1.output.LayerNorm.bias",
    "pooler.dense.weight",
]
out = {}
for pooling, (weight, bias) in heads.items():
    out[f"head.{pooling}.classifier.weight"] = weight
    out[f"head.{pooling}.classifier.bias"] = bias
for index, (lengths, with_types) in enumerate(batches):
    length = max(lengths)
    ids = torch.randint(5, 100, (len(lengths), length), generator=generator)
    mask = torch.zeros(len(lengths), length, dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, 0] = 2
        ids[row, n:] = 0
        mask[row, :n] = 1
    types = torch.zeros_like(ids)
    if with_types:
        types[0, 5:8] = 1
    labels = torch.randint(0, classes, (len(lengths),), generator=generator)
    prefix = f"batch{index}"
    out[f"{prefix}.input_ids"] = ids.float()
    out[f"{prefix}.lengths"] = torch.tensor(lengths, dtype=torch.float32)
    if with_types:
        out[f"{prefix}.token_type_ids"] = types.float()
    out[f"{prefix}.labels"] = labels.float()
    for pooling, (weight, bias) in heads.items():
        model.zero_grad()
        result = model(input_ids=ids, attention_mask=mask, token_type_ids=types if with_types else None)
        hidden = result.last_hidden_state
        if pooling == "cls":
            pooled = result.pooler_output
        else:
            m = mask.unsqueeze(-1).float()
            pooled = (hidden * m).sum(1) / m.sum(1)
        logits = pooled @ weight.T + bias
        loss = torch.nn.functional.cross_entropy(logits, labels)
        loss.backward()
        out[f"{prefix}.last_hidden_state"] = hidden.detach().reshape(-1, 32)
        out[f"{prefix}.{pooling}.pooled"] = pooled.detach()
        out[f"{prefix}.{pooling}.logits"] = logits.detach()
        out[f"{prefix}.{pooling}.loss"] = loss.detach().reshape(1)
        if index == 0:
            parameters = dict(model.named_parameters())
            for name in gradient_names:
                if parameters[name].grad is None:  # the pooler takes no part in mean pooling
                    continue
                out[f"{prefix}.{pooling}.grad.{name}"] = parameters[name].grad.detach().clone()
save_file({k: v.contiguous() for k, v in out.items()}, "expected.safetensors")
print({name: os.path.getsize(os.path.join(d, name)) for d in ("tiny", "tiny-fp16", ".") for name in os.listdir(d) if os.path.isfile(os.path.join(d, name))})
