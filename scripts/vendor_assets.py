"""Re-fetch the vendored browser assets of GraphiQL (/graphql) and Swagger UI (/docs)
from the npm registry at the versions pinned here, into api/static/vendor/, and write
its manifest (SHA-256 per file). tests/api/test_offline_assets.py checks the committed
files against both. Needs ``npm`` (its ``pack`` verifies each tarball's integrity).

    python scripts/vendor_assets.py

To update: change a version below (GraphiQL's must be the ones strawberry's page asks
for; the test names them), run this, run the test, commit the folder.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path
from tempfile import TemporaryDirectory

VENDOR = Path(__file__).resolve().parents[1] / "api" / "static" / "vendor"

# package, version, licence, files (paths inside the package, as unpkg serves them).
PINS: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("react", "18.2.0", "MIT", ("umd/react.production.min.js", "LICENSE")),
    ("react-dom", "18.2.0", "MIT", ("umd/react-dom.production.min.js", "LICENSE")),
    ("js-cookie", "3.0.5", "MIT", ("dist/js.cookie.min.js", "LICENSE")),
    ("graphiql", "3.8.3", "MIT", ("graphiql.min.js", "graphiql.min.css", "LICENSE")),
    # Its tarball has no licence file; package.json declares MIT (see LICENSES.md).
    ("@graphiql/plugin-explorer", "1.0.2", "MIT", ("dist/index.umd.js", "dist/style.css")),
    (
        "swagger-ui-dist",
        "5.35.0",
        "Apache-2.0",
        (
            "swagger-ui-bundle.js",
            "swagger-ui.css",
            "favicon-32x32.png",
            "swagger-ui-bundle.js.LICENSE.txt",
            "LICENSE",
            "NOTICE",
        ),
    ),
]

MANIFEST = "manifest.json"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fetch(package: str, version: str, files: tuple[str, ...], into: Path) -> None:
    """Unpack the package's npm tarball and copy the listed files under ``into``."""
    with TemporaryDirectory() as scratch:
        subprocess.run(
            ["npm", "pack", "--silent", f"{package}@{version}", "--pack-destination", scratch],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tarball,) = Path(scratch).glob("*.tgz")
        with tarfile.open(tarball) as archive:
            archive.extractall(scratch, filter="data")
        for name in files:
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(scratch) / "package" / name, target)


def main() -> None:
    manifest: dict[str, dict[str, object]] = {}
    for package, version, licence, files in PINS:
        folder = VENDOR / f"{package}@{version}"
        shutil.rmtree(folder, ignore_errors=True)
        fetch(package, version, files, folder)
        manifest[f"{package}@{version}"] = {
            "license": licence,
            "files": {name: sha256(folder / name) for name in files},
        }
    # Versions no longer pinned go: the folder holds exactly what the pages load.
    pinned = {f"{package}@{version}" for package, version, _, _ in PINS}
    for stale in VENDOR.glob("[!@]*@*"):
        if stale.name not in pinned:
            shutil.rmtree(stale)
    for scope in VENDOR.glob("@*"):
        for stale in scope.iterdir():
            if f"{scope.name}/{stale.name}" not in pinned:
                shutil.rmtree(stale)
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    (VENDOR / MANIFEST).write_text(text, encoding="utf-8")
    print(f"vendored {len(PINS)} packages into {VENDOR}")


if __name__ == "__main__":
    main()
