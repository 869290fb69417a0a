"""environment.yml (Binder, conda) and requirements.txt (make) must install the same versions."""

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==(\S+)$")


def pins_of(lines: list[str], origin: str) -> dict[str, str]:
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        assert match, f"{origin}: {line!r} is not pinned as name==version"
        pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def requirements_pins() -> dict[str, str]:
    text = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    lines = [line for line in text if line.strip() and not line.startswith("#")]
    return pins_of(lines, "requirements.txt")


def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def environment_pip_pins() -> dict[str, str]:
    deps = environment()["dependencies"]
    pip_lists = [d["pip"] for d in deps if isinstance(d, dict) and "pip" in d]
    assert len(pip_lists) == 1, "environment.yml needs exactly one pip: section"
    return pins_of(pip_lists[0], "environment.yml")


def test_environment_yml_pins_the_same_packages_as_requirements():
    required, conda = requirements_pins(), environment_pip_pins()
    missing = sorted(set(required) - set(conda))
    extra = sorted(set(conda) - set(required))
    differ = sorted(f"{n}: {required[n]} vs {conda[n]}" for n in set(required) & set(conda)
                    if required[n] != conda[n])
    assert not (missing or extra or differ), (
        f"environment.yml drifted from requirements.txt (run `make environment`): "
        f"missing {missing}, extra {extra}, different versions {differ}"
    )


def test_environment_yml_pins_python_311():
    deps = environment()["dependencies"]
    assert "python=3.11" in deps, "Binder needs python pinned to 3.11 (unpinned gives 3.10)"


def test_requirements_pin_the_core_packages_named_by_the_course():
    pins = requirements_pins()
    for package in ("jupyterlab", "pandas", "altair", "ipywidgets", "nbval", "pytest"):
        assert package in pins, f"requirements.txt does not pin {package}"


def test_the_running_environment_matches_the_pins():
    """The suite itself runs on the pinned versions (catches a stale .venv)."""
    from importlib.metadata import PackageNotFoundError, version

    wrong = []
    for name, pinned in requirements_pins().items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name} not installed")
            continue
        if installed != pinned:
            wrong.append(f"{name} {installed} (pinned {pinned})")
    assert not wrong, f"Python {sys.version.split()[0]}: " + ", ".join(wrong)
