"""Dataset files of the panoptic jobs: JSON read with a clear error, outputs written under
temporary names and renamed into place only when the whole job succeeded (an error leaves no
partial file, and removes the folders the job created).
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any, List, Tuple

import numpy as np

__all__ = ["Outputs", "read_json"]


class Outputs:
    """Files written to temporary names and renamed into place only when all succeeded."""

    def __init__(self) -> None:
        self._pending: List[Tuple[str, str]] = []
        self._made_dirs: List[str] = []

    def folder(self, path: str) -> None:
        if not os.path.isdir(path):
            os.makedirs(path)
            self._made_dirs.append(path)

    def _temporary(self, target: str) -> str:
        handle, temporary = tempfile.mkstemp(prefix=".maskkit-", suffix=".tmp", dir=os.path.dirname(target) or ".")
        os.close(handle)
        self._pending.append((temporary, target))
        return temporary

    def png(self, target: str, pixels: np.ndarray) -> None:
        from PIL import Image

        Image.fromarray(pixels).save(self._temporary(target), format="PNG")

    def json(self, target: str, data: Any, **dump_options: Any) -> None:
        with open(self._temporary(target), "w", encoding="utf-8") as handle:
            json.dump(data, handle, **dump_options)

    def __enter__(self) -> "Outputs":
        return self

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        if kind is None:
            for temporary, target in self._pending:
                os.replace(temporary, target)
            return
        for temporary, _ in self._pending:
            if os.path.exists(temporary):
                os.remove(temporary)
        for path in reversed(self._made_dirs):
            if not os.listdir(path):
                os.rmdir(path)


def read_json(path: Any, what: str) -> Any:
    """The JSON in ``path``; ``ValueError`` naming ``what`` when it does not parse."""
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except json.JSONDecodeError as exc:
        raise ValueError(f"{what} {path} is not valid JSON: {exc}") from None
