"""`python -m geo.download [SOURCE ...]`: fetch missing source files from their official locations.

Files already in the source folder are checked against the checksums recorded in data/sources.lock.json
and left alone. A missing file with a direct download URL is fetched with a progress bar (a zip is
unpacked and only the catalogued files kept) and its checksum recorded. Files that a person must pick on
the publisher's page, and every download that fails (offline, server error), are listed with the file and
where to get it. Exit status 0 when every required file is present afterwards.
"""

from __future__ import annotations

import argparse
import io
import shutil
import sys
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from geo import sources
from geo.settings import source_root

TIMEOUT_S = 60
USER_AGENT = "PlurAlps-Atlas/0.1 (+https://github.com/pluralps-atlas)"


@dataclass
class Outcome:
    source: str
    path: str
    status: str  # present, downloaded, changed, manual, failed
    detail: str = ""


def fetch(url: str, timeout: float = TIMEOUT_S) -> bytes:
    """Return the body at `url`, showing a progress bar on stderr."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        total = int(response.headers.get("Content-Length") or 0) or None
        buffer = io.BytesIO()
        with tqdm(total=total, unit="B", unit_scale=True, desc=PurePosixPath(url).name, file=sys.stderr) as bar:
            while chunk := response.read(1 << 16):
                buffer.write(chunk)
                bar.update(len(chunk))
    return buffer.getvalue()


def download_source(source: sources.Source, root: Path, fetcher=fetch) -> list[Outcome]:
    """Make every file of `source` present in `root`; return what happened to each."""
    recorded = sources.recorded_checksums()
    outcomes: list[Outcome] = []
    for part in source.parts or [None]:
        rel_paths = source.relative_paths(part)
        missing = [rel for rel in rel_paths if not (root / rel).is_file()]
        if not missing:
            for rel in rel_paths:
                digest = sources.sha256(root / rel)
                expected = recorded.get(rel)
                status = "changed" if expected and expected != digest else "present"
                detail = "differs from the recorded checksum (a new release?)" if status == "changed" else ""
                outcomes.append(Outcome(source.id, rel, status, detail))
            continue
        url = source.url_for(part)
        if not source.direct:
            outcomes += [
                Outcome(source.id, rel, "manual", f"download it from {url} into {root / rel}") for rel in missing
            ]
            continue
        try:
            body = fetcher(url)
            written = _store(body, url, rel_paths, root)
        except (urllib.error.URLError, TimeoutError, OSError, zipfile.BadZipFile) as exc:
            outcomes += [
                Outcome(source.id, rel, "failed", f"could not download {url}: {exc}; save the file as {root / rel}")
                for rel in missing
            ]
            continue
        checksums = {rel: sources.sha256(root / rel) for rel in written}
        sources.record_checksums(checksums)
        outcomes += [Outcome(source.id, rel, "downloaded", checksums[rel][:12]) for rel in written]
    return outcomes


def _store(body: bytes, url: str, rel_paths: list[str], root: Path) -> list[str]:
    """Write the downloaded body (or the catalogued members of a zip) to the source folder."""
    if url.lower().endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            by_name = {PurePosixPath(n).name: n for n in archive.namelist()}
            written = []
            for rel in rel_paths:
                member = by_name.get(PurePosixPath(rel).name)
                if member is None:
                    raise zipfile.BadZipFile(f"{PurePosixPath(rel).name} is not in the archive")
                _atomic_write(root / rel, archive.read(member))
                written.append(rel)
            return written
    _atomic_write(root / rel_paths[0], body)
    return [rel_paths[0]]


def _atomic_write(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        tmp.write(data)
    shutil.move(tmp.name, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo.download", description=__doc__.split("\n\n")[0])
    parser.add_argument("source", nargs="*", help="source ids (default: all); see data/sources.toml")
    parser.add_argument("--sources", type=Path, help="source folder (default: $PLURALPS_SOURCES)")
    args = parser.parse_args(argv)
    root = (args.sources or source_root()).resolve()
    catalogue = sources.catalogue()
    unknown = [s for s in args.source if s not in catalogue]
    if unknown:
        parser.error(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(sorted(catalogue))}")
    wanted = [catalogue[s] for s in (args.source or sorted(catalogue))]
    outcomes = [o for src in wanted for o in download_source(src, root)]
    for o in outcomes:
        print(f"{o.status:10} {o.source:24} {o.path}{'  ' + o.detail if o.detail else ''}")
    required_missing = [o for o in outcomes if o.status in ("manual", "failed") and not catalogue[o.source].optional]
    if required_missing:
        print(f"\n{len(required_missing)} required file(s) still missing in {root}.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
