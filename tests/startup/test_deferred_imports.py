"""singer-sdk's unused dependencies wait until used, and work when they are."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import singer_sdk

from singer_startup.deferred import DEFERRED

DEFERRED_FAMILIES = sorted({name.partition(".")[0] for name in DEFERRED})
#: Modules each family drags in, which a deferred start-up must not load either.
DRAGGED_IN = ["fsspec", "psutil", "loky", "ply"]


def _run(code: str) -> str:
    """Run ``code`` in a fresh interpreter; return its last line of output."""
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout.strip().splitlines()[-1]


PRELUDE = (
    "import sys, json\n"
    "from singer_startup.deferred import defer_sdk_imports, DeferredModule\n"
    "deferred = defer_sdk_imports()\n"
)


def test_the_plugins_import_without_the_deferred_families() -> None:
    code = PRELUDE + (
        "import tap_salesforce_lite.tap, target_akountify.target\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{DEFERRED_FAMILIES + DRAGGED_IN!r} and not isinstance(sys.modules[m], DeferredModule))\n"
        "print(json.dumps([deferred, loaded]))\n"
    )
    deferred, loaded = json.loads(_run(code))
    assert deferred == list(DEFERRED)
    assert loaded == []


def test_without_deferring_the_same_imports_load_them() -> None:
    code = (
        "import sys\nimport target_akountify.target\n"
        f"print(all(f in sys.modules for f in {DEFERRED_FAMILIES!r}))\n"
    )
    assert _run(code) == "True"  # the test above measures something


def test_parallel_draining_works_through_the_stand_ins() -> None:
    code = PRELUDE + (
        "import singer_sdk.target_base as tb\n"
        "out = []\n"
        "with tb.parallel_config(backend='threading', n_jobs=2):\n"
        "    tb.Parallel()(tb.delayed(out.append)(n) for n in range(5))\n"
        "print(json.dumps([sorted(out), sys.modules['joblib'].__class__.__name__]))\n"
    )
    values, module_type = json.loads(_run(code))
    assert values == [0, 1, 2, 3, 4]
    assert module_type == "module"  # the real joblib took the stand-in's place


def test_jsonpath_extraction_works_through_the_stand_ins() -> None:
    code = PRELUDE + (
        "from singer_sdk.helpers.jsonpath import extract_jsonpath\n"
        "data = {'a': {'items': [{'id': 1}, {'id': 2}, {'id': 3}]}}\n"
        "print(json.dumps([list(extract_jsonpath('$.a.items[*].id', data)),\n"
        "                  list(extract_jsonpath('$.a.items[0:2]', data))]))\n"
    )
    ids, sliced = json.loads(_run(code))
    assert ids == [1, 2, 3]
    assert sliced == [{"id": 1}, {"id": 2}]


def test_batch_file_paths_work_through_the_stand_ins(tmp_path: Path) -> None:
    code = PRELUDE + (
        "from singer_sdk.helpers._batch import StorageTarget\n"
        f"target = StorageTarget.from_url({tmp_path.as_uri()!r})\n"
        "with target.open('hello.txt', mode='wb') as handle:\n"
        "    handle.write(b'batch')\n"
        f"print(open({str(tmp_path / 'hello.txt')!r}).read())\n"
    )
    assert _run(code) == "batch"


def test_singer_sdk_imports_only_the_deferred_names_from_the_deferred_modules() -> None:
    """If singer-sdk starts importing or using these modules otherwise, this fails first."""
    root = Path(singer_sdk.__file__).parent
    found: dict[str, set[str]] = {}
    for path in root.rglob("*.py"):
        if "testing" in path.parts or "contrib" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_checking = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        for node in ast.walk(tree):
            if id(node) in type_checking:
                continue
            if isinstance(node, ast.ImportFrom) and node.module is not None:
                top = node.module.partition(".")[0]
                if top in DEFERRED_FAMILIES:
                    found.setdefault(node.module, set()).update(a.name for a in node.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.partition(".")[0] not in DEFERRED_FAMILIES, (
                        f"{path}: `import {alias.name}` (only `from … import name` is deferred)"
                    )
    assert {module: sorted(names) for module, names in found.items()} == {
        module: sorted(names) for module, names in DEFERRED.items()
    }
