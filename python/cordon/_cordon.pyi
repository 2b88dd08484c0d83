"""Type stubs of the native module `cordon._cordon` (built from python/src/lib.rs)."""

from typing import Any, Optional

import pyarrow as pa

__version__: str

class CordonError(Exception):
    """A problem Cordon reports; ``diagnostics`` holds each one as a dict
    (severity, code, message, help, file, line, column)."""

    diagnostics: list[dict[str, Any]]

class RulesError(CordonError):
    """The rule pack does not load or check."""

class InputError(CordonError):
    """Records that cannot be read at all (a required column missing)."""

class Engine:
    @staticmethod
    def load(
        rules_dir: str,
        config: Optional[str] = None,
        lists: Optional[str] = None,
        reviewed: Optional[str] = None,
        licences: Optional[str] = None,
    ) -> Engine: ...
    @staticmethod
    def from_sources(files: dict[str, str], config: Optional[str] = None) -> Engine: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def config(self) -> Optional[str]: ...
    def rules(self) -> list[dict[str, Any]]: ...
    def lists(self) -> list[dict[str, Any]]: ...
    def warnings(self) -> list[str]: ...
    def screen(self, names: list[str], threshold: Optional[str] = None, limit: int = 10) -> list[list[dict[str, Any]]]: ...
    def check_arrow(
        self, batch: pa.RecordBatch, threads: Optional[int] = None, name: str = "batch", first_row: int = 0
    ) -> pa.RecordBatch: ...
    def check_json(self, record: str) -> str: ...
