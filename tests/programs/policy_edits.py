"""Editing the policy file into variants, for loader and command tests."""


def edit(text: str, old: str, new: str) -> str:
    """Replace the first occurrence of `old`, which must be there."""
    assert old in text, f"{old!r} is not in the policy file"
    return text.replace(old, new, 1)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based number of the line holding the n-th occurrence of `fragment`."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if fragment in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{fragment!r} is not in the text {occurrence} times")
