"""Only the build step pyproject.toml cannot say: compile the gettext catalogues (.po -> .mo).

The .mo files are build products, never committed (docs/decisions/0019-translations.md): a wheel
gets them here; a checkout gets them from `make install`/`make install-dev` (pybabel compile).
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from setuptools import setup
from setuptools.command.build_py import build_py

CATALOGUES = Path("lti_tool") / "translations"


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        # Editable installs run from the source tree: compile there; a wheel gets them in build_lib.
        target = CATALOGUES if self.editable_mode else Path(self.build_lib) / CATALOGUES
        for po_path in CATALOGUES.glob("*/LC_MESSAGES/*.po"):
            with po_path.open("rb") as po:
                catalogue = read_po(po, locale=po_path.parts[-3])
            mo_path = target / po_path.relative_to(CATALOGUES).with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with mo_path.open("wb") as mo:
                write_mo(mo, catalogue)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
