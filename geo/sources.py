"""The source catalogue: what each source file is, who publishes it, and where it lies.

The catalogue itself is data (`data/sources.toml`); this module reads it, resolves a source to its
file(s) inside the source folder (`PLURALPS_SOURCES`), and checksums files so the build can tell when a
source changed. A file that is not there raises `SourceMissing` naming the file and where to get it.

`title` and `publisher` are English; `title_<lang>` and `publisher_<lang>` (de, fr, it, sl) translate them
for the dashboard (`Source.title_in`, `Source.publisher_in`, English where a translation is missing).
`licence` and `attribution` have no translations: they are the publisher's own wording.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from geo.errors import SourceMissing
from geo.settings import DATA_DIR, source_root
from geo.terms import DEFAULT_LANGUAGE, LANGUAGES

CATALOGUE_FILE = DATA_DIR / "sources.toml"
LOCK_FILE = DATA_DIR / "sources.lock.json"

REQUIRED_FIELDS = ("title", "publisher", "licence", "attribution", "vintage", "url", "path", "format", "country")
# The fields shown to a person, translated as `<field>_<lang>` beside the English `<field>`. They are not
# required when the catalogue is read (a new source without them still builds, shown in English);
# tests/test_translations.py fails until every one is there.
TRANSLATED_FIELDS = ("title", "publisher")
TRANSLATIONS = tuple(f"{f}_{lang}" for f in TRANSLATED_FIELDS for lang in LANGUAGES if lang != DEFAULT_LANGUAGE)


@dataclass(frozen=True)
class Source:
    """One catalogued source: a file, or a family of files that differ only by `{part}`."""

    id: str
    title: str
    publisher: str
    licence: str
    attribution: str
    vintage: str
    url: str
    path: str
    format: str
    country: str
    direct: bool = False
    share_alike: bool = False  # its licence makes a derived database share the licence (ODbL 4.4)
    crs: str | None = None
    optional: bool = False
    parts: tuple[str, ...] = ()
    sidecars: tuple[str, ...] = ()
    translations: dict[str, str] = field(default_factory=dict, compare=False, hash=False)  # {"title_de": ...}
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    def title_in(self, lang: str) -> str:
        """Return the title in `lang` (English where the catalogue has no translation)."""
        return self.translations.get(f"title_{lang}") or self.title

    def publisher_in(self, lang: str) -> str:
        """Return the publisher's name in `lang` (English where the catalogue has no translation)."""
        return self.translations.get(f"publisher_{lang}") or self.publisher

    def relative_paths(self, part: str | None = None) -> list[str]:
        """Return the paths (relative to the source folder) of this source's files, sidecars included."""
        parts = [part] if part is not None else (list(self.parts) or [None])
        paths = []
        for p in parts:
            paths.append(self.path.format(part=p) if p is not None else self.path)
        return paths + list(self.sidecars)

    def url_for(self, part: str | None = None) -> str:
        return self.url.format(part=part) if part is not None else self.url

    def missing_message(self, rel_path: str, root: Path) -> str:
        how = (
            f"run `python -m geo.download {self.id}` on a machine with internet, or download {self.url}"
            if self.direct
            else f"download it from the publisher's page {self.url}"
        )
        return f"file not found: {rel_path} in source folder {root}. To get it, {how} and save it there."


def _parse(source_id: str, table: dict) -> Source:
    missing = [f for f in REQUIRED_FIELDS if f not in table]
    if missing:
        raise ValueError(f"data/sources.toml: [{source_id}] lacks {', '.join(missing)}")
    empty = [k for k in TRANSLATIONS if k in table and not str(table[k]).strip()]
    if empty:
        raise ValueError(f"data/sources.toml: [{source_id}] has empty {', '.join(empty)}")
    known = {f for f in Source.__dataclass_fields__ if f not in ("id", "extra", "translations")}
    kwargs = {k: v for k, v in table.items() if k in known}
    for key in ("parts", "sidecars"):
        kwargs[key] = tuple(str(v) for v in table.get(key, ()))
    translations = {k: str(table[k]) for k in TRANSLATIONS if k in table}
    extra = {k: v for k, v in table.items() if k not in known and k not in TRANSLATIONS}
    return Source(id=source_id, translations=translations, extra=extra, **kwargs)


@cache
def catalogue() -> dict[str, Source]:
    """Return every catalogued source by id (read once per process)."""
    with CATALOGUE_FILE.open("rb") as f:
        raw = tomllib.load(f)
    return {sid: _parse(sid, table) for sid, table in raw.items()}


def get(source_id: str) -> Source:
    """Return the catalogued source `source_id`, or raise KeyError listing the known ids."""
    try:
        return catalogue()[source_id]
    except KeyError:
        raise KeyError(f"unknown source '{source_id}'; known: {', '.join(sorted(catalogue()))}") from None


def locate(source_id: str, part: str | None = None, root: Path | None = None) -> Path:
    """Return the path of a source file (one part of a multi-part source), checking that it exists.

    Sidecar files (a shapefile's .dbf, .shx, .prj) are checked too. Raises `SourceMissing` naming the
    file, the folder looked in and where to download it.
    """
    src = get(source_id)
    if src.parts and part is None:
        raise ValueError(f"source '{source_id}' has parts {src.parts}: name one")
    root = root or source_root()
    rel_paths = src.relative_paths(part)
    for rel in rel_paths:
        if not (root / rel).is_file():
            raise SourceMissing(source_id, root / rel, src.missing_message(rel, root))
    return root / rel_paths[0]


def available(source_id: str, part: str | None = None, root: Path | None = None) -> bool:
    """Return True when all files of the source (or of one part) are present."""
    try:
        if part is None and get(source_id).parts:
            return all(available(source_id, p, root) for p in get(source_id).parts)
        locate(source_id, part, root)
    except SourceMissing:
        return False
    return True


def sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Return the hex SHA-256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def file_fingerprints(root: Path | None = None) -> dict[str, str | None]:
    """Return {relative path: sha256 or None when absent} for every file of every source.

    Checksums are cached by (size, mtime) in memory, so a warm rebuild hashes nothing twice.
    """
    root = root or source_root()
    result: dict[str, str | None] = {}
    for src in catalogue().values():
        for rel in src.relative_paths():
            path = root / rel
            result[rel] = _cached_sha256(path, *_stat(path)) if path.is_file() else None
    return result


def _stat(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


@cache
def _cached_sha256(path: Path, size: int, mtime_ns: int) -> str:  # size and mtime key the cache
    return sha256(path)


def recorded_checksums() -> dict[str, str]:
    """Return the checksums recorded in data/sources.lock.json ({relative path: sha256})."""
    if not LOCK_FILE.is_file():
        return {}
    return json.loads(LOCK_FILE.read_text())


def record_checksums(update: dict[str, str]) -> None:
    """Merge `update` into data/sources.lock.json, sorted so that diffs stay readable."""
    merged = recorded_checksums() | update
    LOCK_FILE.write_text(json.dumps(dict(sorted(merged.items())), indent=1) + "\n")
