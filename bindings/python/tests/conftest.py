"""pytest setup: the package from bindings/python, its generated protobuf
modules (generated here with protoc when the build has not), and the
library from STANDING_LIBRARY (or next to the package)."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

PY_ROOT = pathlib.Path(__file__).resolve().parents[1]
REPO = PY_ROOT.parents[1]
GENERATED = PY_ROOT / "standing" / "_generated"

if str(PY_ROOT) not in sys.path:
    sys.path.insert(0, str(PY_ROOT))


def _generate() -> None:
    protos = sorted((REPO / "proto" / "standing" / "v1").glob("*.proto"))
    stale = not (GENERATED / "standing" / "v1" / "transition_pb2.py").exists() or any(
        p.stat().st_mtime > (GENERATED / "standing" / "v1" / (p.stem + "_pb2.py")).stat().st_mtime
        for p in protos
        if (GENERATED / "standing" / "v1" / (p.stem + "_pb2.py")).exists()
    )
    if not stale:
        return
    protoc = shutil.which("protoc")
    if protoc is None:
        pytest.exit("standing.v1 modules are not generated and protoc is not on PATH", 2)
    GENERATED.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [protoc, f"--python_out={GENERATED}", f"-I{REPO / 'proto'}", *map(str, protos)],
        check=True,
    )


_generate()


@pytest.fixture(scope="session")
def policy_path() -> pathlib.Path:
    return REPO / "tests" / "c" / "test_policy.json"


@pytest.fixture(scope="session")
def policy_json(policy_path) -> str:
    return policy_path.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def retail_path() -> pathlib.Path:
    return REPO / "examples" / "policies" / "retail.json"


@pytest.fixture
def engine(policy_json):
    import standing

    with standing.Engine(policy_json) as e:
        yield e


@pytest.fixture(scope="session")
def repo() -> pathlib.Path:
    return REPO


@pytest.fixture(scope="session")
def library_env() -> dict:
    """Environment for subprocesses: the same library and package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PY_ROOT), env.get("PYTHONPATH")]))
    return env
