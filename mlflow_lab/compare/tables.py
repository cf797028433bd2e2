"""Write the comparison table as CSV and as Markdown."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def write_tables(frame: pd.DataFrame, folder: Path) -> list[Path]:
    """`runs.csv` and `runs.md` in `folder`; returns their paths."""
    csv_path, md_path = folder / "runs.csv", folder / "runs.md"
    frame.to_csv(csv_path, index=False)
    md_path.write_text(markdown(frame))
    return [csv_path, md_path]


def markdown(frame: pd.DataFrame) -> str:
    """A GitHub-flavoured Markdown table (short run ids, numbers to 6 significant digits)."""
    def cell(value) -> str:
        if isinstance(value, float):
            return f"{value:.6g}"
        return str(value)[:12] if isinstance(value, str) and len(value) == 32 else str(value)

    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    rows = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *rows]) + "\n"
