"""flask deploy files DIR: the shipped production files, copied out to adapt."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent
# Shipped name -> name written (gunicorn finds ./gunicorn.conf.py by itself).
FILES = {
    "gunicorn_conf.py": "gunicorn.conf.py",
    **{f"systemd/{p.name}": f"systemd/{p.name}" for p in sorted((HERE / "systemd").iterdir())},
}


@click.group("deploy", help="Files for production: gunicorn.conf.py and systemd units.")
def deploy_cli() -> None:
    pass


@deploy_cli.command("files")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
def files(directory: Path, force: bool) -> None:
    """Copy gunicorn.conf.py and the example systemd units into DIRECTORY."""
    targets = {HERE / source: directory / target for source, target in FILES.items()}
    existing = [t for t in targets.values() if t.exists()]
    if existing and not force:
        click.echo(f"Error: {existing[0]} exists (use --force to overwrite).", err=True)
        sys.exit(2)
    for source, target in targets.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        click.echo(f"wrote {target}")
