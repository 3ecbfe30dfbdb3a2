"""Editors' notes: one per briefing and language, kept in the store's file so that a rebuild shows it again.

The table is created when first used (an additive change: older stores gain it, nothing else moves).
A note replaced keeps only the newest: a write older than the note stored (two editors at once) is dropped.
"""

from __future__ import annotations

from reportgen.models import EditorNote
from reportgen.store import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    partner TEXT NOT NULL,  -- the briefing's code in the archive: MEX, MEX-RUS
    period TEXT NOT NULL,  -- the period's key: 2024, 2024-05, 2024-05-ytd
    lang TEXT NOT NULL,  -- the edition: en, es
    markdown TEXT NOT NULL,  -- the editor's source, checked against the safe subset
    editor TEXT NOT NULL,
    written TEXT NOT NULL,  -- ISO 8601 UTC
    PRIMARY KEY (partner, period, lang)
)
"""


COLUMNS = "partner, period, lang, markdown, editor, written"  # EditorNote's fields, in order


def _ready(store: Store) -> None:
    store.db.execute(SCHEMA)


def put(store: Store, note: EditorNote) -> bool:
    """Store a note, replacing the briefing's note unless that one was written later; True if it was kept."""
    _ready(store)
    with store.transaction() as db:
        return db.execute(
            f"""INSERT INTO notes ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (partner, period, lang) DO UPDATE SET
                   markdown = excluded.markdown, editor = excluded.editor, written = excluded.written
               WHERE excluded.written >= notes.written""",
            (note.partner, note.period, note.lang, note.markdown, note.editor, note.written),
        ).rowcount > 0


def get(store: Store, partner: str, period: str, lang: str = "en") -> EditorNote | None:
    """The briefing's note in that language, if an editor wrote one."""
    _ready(store)
    row = store.db.execute(f"SELECT {COLUMNS} FROM notes WHERE partner = ? AND period = ? AND lang = ?",
                           (partner, period, lang)).fetchone()
    return EditorNote(*row) if row else None


def remove(store: Store, partner: str, period: str, lang: str = "en") -> EditorNote | None:
    """Delete the briefing's note in that language; the note removed, or None if there was none."""
    _ready(store)
    with store.transaction() as db:
        row = db.execute(f"DELETE FROM notes WHERE partner = ? AND period = ? AND lang = ? RETURNING {COLUMNS}",
                         (partner, period, lang)).fetchone()
    return EditorNote(*row) if row else None
