"""Line classifiers for the capture tests, written from the layouts and independent of the templates:
which lines of an output are port rows (or port blocks) and alarm rows, and what a DOM table row says."""
from __future__ import annotations

import re

FLAGS = ("++", "+", "-", "--")
# The units line of a Cisco DOM table names its columns: "Port (Celsius) (Volts) [(mA)] (dBm) (dBm) [(Watts)]"
_UNITS = re.compile(r"^Port\s+\(Celsius\)")
_COLUMN = {"(Celsius)": "temperature", "(Volts)": "voltage", "(mA)": "current", "(Watts)": "max_power"}


def cisco_dom_rows(text: str) -> list[tuple[str, dict[str, str | None]]]:
    """Rows of every Cisco IOS DOM summary table: (port, {temperature, voltage, current, tx, rx,
    max_power, <column>_flag}) with the device's alarm flags taken apart from the values."""
    out: list[tuple[str, dict[str, str | None]]] = []
    columns: list[str] | None = None
    for line in text.splitlines():
        if _UNITS.match(line):
            units = line.split()[1:]
            dbm = iter(("tx", "rx"))
            columns = [_COLUMN.get(u) or next(dbm) for u in units]
            continue
        if columns is None or not line.strip() or line.startswith(" ") or line.startswith("-"):
            continue
        tokens = line.split()
        port, cells = tokens[0], tokens[1:]
        row: dict[str, str | None] = {}
        i = 0
        for column in columns:
            if i >= len(cells):
                break
            row[column] = cells[i]
            i += 1
            if i < len(cells) and cells[i] in FLAGS:
                row[f"{column}_flag"] = cells[i]
                i += 1
            if column == "max_power" and i < len(cells) and cells[i] == "W":
                i += 1
        if re.search(r"\d", port) and "rx" in row:
            out.append((port, row))
        else:
            columns = None  # the table ended
    return out


def records_or_no_optics(platform: str, parser, text: str) -> list[dict]:
    """parse_records, with an output whose every port says it has no light values (NX-OS 'N/A' lanes,
    'DOM is not supported') read as no records: the collectors report it as Unsupported."""
    from collectors.cli.parse import parse_records
    from collectors.errors import Unsupported

    try:
        return parse_records(platform, parser, text)
    except Unsupported as exc:
        assert exc.raw == text and parser.reading == "optical"
        return []
