"""A synthetic Jekyll blog shaped like the statistics of the real blog linkcheck is built for.

The real posts are all rights reserved, so we generate text with the same shape: about 800
posts and 8 MB, 25,000 bare URLs (mostly alone on a line, followed by a caption), the host
mix of the top hosts, `$$…$$` math in a quarter of the posts, fenced code, `/images/` links,
kramdown `{:toc}`, front matter, and the rare constructs (tables, glued Chinese prose,
inline links, URLs in inline code, LaTeX that looks like links).

    python bench/corpus.py OUT_DIR [--posts 817] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import string
from pathlib import Path

_ID = string.ascii_letters + string.digits + "_-"
_HOSTS: list[tuple[float, str]] = [
    (0.545, "wechat"),
    (0.140, "zhuanlan"),
    (0.093, "zhihu"),
    (0.033, "github"),
    (0.032, "csdn"),
    (0.018, "cnblogs"),
    (0.139, "other"),
]
_OTHER_HOSTS = [
    "www.sohu.com",
    "www.jianshu.com",
    "view.inews.qq.com",
    "new.qq.com",
    "news.ifeng.com",
    "www.163.com",
    "en.wikipedia.org",
    "kexue.fm",
    "pytorch.org",
    "arxiv.org",
    "www.bilibili.com",
    "segmentfault.com",
    "cloud.tencent.com",
]
_CJK = [chr(c) for c in range(0x4E00, 0x4E00 + 2000)]
_WORDS = ["model", "training", "network", "loss", "gradient", "layer", "data", "GPU", "Transformer"]


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_CJK) for _ in range(n))


def _sentence(rng: random.Random) -> str:
    parts = [
        _word(rng, rng.randint(2, 8)) if rng.random() < 0.8 else rng.choice(_WORDS)
        for _ in range(rng.randint(4, 12))
    ]
    return "".join(parts) + "。"


def _url(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    kind = "other"
    for share, name in _HOSTS:
        total += share
        if roll < total:
            kind = name
            break
    token = "".join(rng.choice(_ID) for _ in range(22))
    if kind == "wechat":
        if rng.random() < 0.008:
            return (
                f"https://mp.weixin.qq.com/s?__biz={token[:16]}==&mid={rng.randint(10**9, 10**10)}"
                f"&idx=1&sn={token.lower()}#rd"
            )
        return f"https://mp.weixin.qq.com/s/{token}"
    if kind == "zhuanlan":
        return f"https://zhuanlan.zhihu.com/p/{rng.randint(10**7, 10**9)}"
    if kind == "zhihu":
        question, answer = rng.randint(10**7, 10**9), rng.randint(10**8, 10**10)
        return f"https://www.zhihu.com/question/{question}/answer/{answer}"
    if kind == "github":
        return f"https://github.com/{token[:8]}/{token[8:16]}"
    if kind == "csdn":
        return f"https://blog.csdn.net/{token[:10]}/article/details/{rng.randint(10**7, 10**9)}"
    if kind == "cnblogs":
        return f"https://www.cnblogs.com/{token[:8]}/p/{rng.randint(10**6, 10**8)}.html"
    scheme = "http" if rng.random() < 0.078 else "https"
    return f"{scheme}://{rng.choice(_OTHER_HOSTS)}/{token[:12]}/{token[12:]}"


def _post(rng: random.Random, index: int, links: int, with_math: bool) -> str:
    out = [
        f"---\nlayout: post\ntitle: 深度学习（{index}）——{_word(rng, 4)}\ncategory: DL\n---\n\n",
        "* toc\n{:toc}\n\n",
    ]
    for n in range(links):
        if rng.random() < 0.35:
            out.append(f"# {_word(rng, 5)}\n\n")
        out.append(" ".join(_sentence(rng) for _ in range(rng.randint(1, 3))) + "\n\n")
        roll = rng.random()
        url = _url(rng)
        if roll < 0.985:
            out.append(f"{url}\n\n{_word(rng, rng.randint(6, 16))}\n\n")
        elif roll < 0.990:
            out.append(f"参考{url}中的代码，{_word(rng, 6)}。\n\n")
        elif roll < 0.994:
            out.append(f"| {_word(rng, 3)} | {rng.choice(_WORDS)} | {url} |\n|---|---|---|\n\n")
        elif roll < 0.997:
            out.append(f"`pip install -i {url}` {_word(rng, 4)}\n\n")
        else:
            out.append(f"[{_word(rng, 4)}]({url})\n\n")
        if n % 11 == 3:
            out.append(
                f"![](/images/img{rng.randint(1, 9)}/{_word(rng, 0)}{rng.randint(1, 999)}.png)\n\n"
            )
        if with_math and n % 3 == 0:
            out.append(
                "$$\\mathop{\\arg\\min}_{\\theta} J(\\theta) = [T](x,y) + \\sum_i x_i^2$$\n\n"
            )
        if n % 17 == 5:
            out.append(
                "```python\nimport torch\nx = torch.randn(3)  # https://pytorch.org/docs\n"
                + "\n".join(f"y{i} = x * {i}" for i in range(rng.randint(3, 20)))
                + "\n```\n\n"
            )
    return "".join(out)


def generate(out_dir: Path, posts: int = 817, seed: int = 7, urls: int = 25_000) -> int:
    """Write the corpus; returns the number of bytes written."""
    rng = random.Random(seed)
    posts_dir = out_dir / "_posts"
    posts_dir.mkdir(parents=True, exist_ok=True)
    per_post = [max(0, round(rng.gauss(urls / posts, 18))) for _ in range(posts)]
    scale = urls / max(1, sum(per_post))
    size = 0
    for i, count in enumerate(per_post):
        year, month, day = 2014 + i * 12 // posts, 1 + i % 12, 1 + i % 28
        text = _post(rng, i, round(count * scale), with_math=rng.random() < 201 / 817)
        path = posts_dir / f"{year}-{month}-{day}-Post_{i}.markdown"
        path.write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return size


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--posts", type=int, default=817)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    written = generate(args.out_dir, args.posts, args.seed)
    print(f"{args.posts} posts, {written / 1e6:.1f} MB in {args.out_dir}")
