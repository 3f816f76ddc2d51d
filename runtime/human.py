"""Numbers as a person reads them, one spelling everywhere: sizes in binary units (B, KiB,
MiB, GiB, as `du -h` and `ls -lh` show them) and counts with the right plural."""

from __future__ import annotations


def human_size(size: int | float | None) -> str:
    """1234 -> "1.2 KiB", 512 -> "512 B", None -> "unlimited"."""
    if size is None:
        return "unlimited"
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            if unit == "B":
                return f"{value:.0f} B"
            return f"{value:.1f}".removesuffix(".0") + f" {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 batch`, `2 batches`, `0 records`; `many` for an irregular plural."""
    if count == 1:
        return f"{count} {word}"
    if many is None:
        many = word + ("es" if word.endswith(("s", "sh", "ch", "x", "z")) else "s")
    return f"{count} {many}"
