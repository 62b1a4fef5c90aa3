"""A PEP 517/660 build backend in the standard library, so that ``pip install ./clients/python``
works offline: with no build requirements, pip's isolated build env needs nothing from PyPI
(setuptools' backend would need ``setuptools`` and ``wheel`` from an index, or
``--no-build-isolation`` with both installed).

It builds one pure-Python wheel holding the ``model_registry`` package (the import name the docs
use, as Kubeflow's SDK does) and ``model_registry_client`` (the earlier name, re-exporting it), an
sdist, and an editable wheel (a ``.pth`` file pointing at the source tree).
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

PACKAGES = ("model_registry", "model_registry_client")
DIST = "model_registry_client"
VERSION = "0.1.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TAG = "py3-none-any"

METADATA = f"""Metadata-Version: 2.1
Name: model-registry-client
Version: {VERSION}
Summary: Python client of the model registry (Kubeflow-style API over the Connect protocol); standard library only.
Requires-Python: >=3.9
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: model-registry-build-backend
Root-Is-Purelib: true
Tag: {TAG}
"""


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    files = []
    for package in PACKAGES:
        for dirpath, dirnames, filenames in os.walk(os.path.join(ROOT, package)):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for filename in sorted(filenames):
                if filename.endswith(".py") or filename == "py.typed":
                    path = os.path.join(dirpath, filename)
                    arcname = os.path.relpath(path, ROOT).replace(os.sep, "/")
                    with open(path, "rb") as f:
                        files.append((arcname, f.read()))
    return _wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, [(f"{DIST}.pth", (ROOT + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = f"{DIST}-{VERSION}"
    name = f"{base}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tar:
        for entry in ("pyproject.toml", "build_backend", *PACKAGES):
            tar.add(
                os.path.join(ROOT, entry),
                arcname=f"{base}/{entry}",
                filter=lambda t: None if "__pycache__" in t.name else t,
            )
        info = tarfile.TarInfo(f"{base}/PKG-INFO")
        data = METADATA.encode()
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return name


def _dist_info_files():
    return [(f"{DIST}-{VERSION}.dist-info/METADATA", METADATA.encode()), (f"{DIST}-{VERSION}.dist-info/WHEEL", WHEEL.encode())]


def _write_dist_info(directory):
    for arcname, data in _dist_info_files():
        path = os.path.join(directory, arcname)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return f"{DIST}-{VERSION}.dist-info"


def _wheel(directory, files):
    name = f"{DIST}-{VERSION}-{TAG}.whl"
    files = files + _dist_info_files()
    record = f"{DIST}-{VERSION}.dist-info/RECORD"
    lines = []
    with zipfile.ZipFile(os.path.join(directory, name), "w", zipfile.ZIP_DEFLATED) as whl:
        for arcname, data in files:
            whl.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            lines.append(f"{arcname},sha256={digest},{len(data)}")
        lines.append(f"{record},,")
        whl.writestr(record, "\n".join(lines) + "\n")
    return name
