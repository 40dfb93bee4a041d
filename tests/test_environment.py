"""The pip lock, requirements.in and environment.yml name the same packages at the same versions."""

from __future__ import annotations

import re

import yaml

from analysis import config

ROOT = config.project_root()


def _requirements_in() -> set[str]:
    lines = (ROOT / "requirements.in").read_text().splitlines()
    return {line.strip().lower() for line in lines if line.strip() and not line.startswith("#")}


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, _, version = line.partition("==")
        assert version, f"requirements.lock line {line!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


def _environment_yml() -> dict[str, str]:
    doc = yaml.safe_load((ROOT / "environment.yml").read_text())
    packages = {}
    conda_to_pip = {"dask-core": "dask"}
    for dep in doc["dependencies"]:
        if isinstance(dep, dict):
            for pip_dep in dep["pip"]:
                if pip_dep.startswith("-e"):
                    continue
                name, _, version = pip_dep.partition("==")
                packages[name.lower()] = version
        else:
            name, _, version = re.split(r"(=)", dep, maxsplit=1) if "=" in dep else (dep, "", "")
            packages[conda_to_pip.get(name.lower(), name.lower())] = version
    packages.pop("python", None)
    packages.pop("pip", None)
    return packages


def test_environment_yml_names_the_same_packages_as_requirements_in():
    assert set(_environment_yml()) == _requirements_in()


def test_every_direct_package_is_pinned_in_the_lock():
    lock = _lock()
    missing = sorted(_requirements_in() - set(lock))
    assert not missing, f"not pinned in requirements.lock: {missing}"


def test_environment_yml_versions_equal_the_lock():
    lock = _lock()
    different = {
        name: (version, lock[name]) for name, version in _environment_yml().items() if lock.get(name) != version
    }
    assert not different, f"environment.yml vs requirements.lock versions differ: {different}"


def test_design_card_packages_are_all_present():
    needed = {
        "jupyterlab",
        "pandas",
        "geopandas",
        "seaborn",
        "statsmodels",
        "papermill",
        "nbconvert",
        "pytest",
        "pandera",
        "pyarrow",
        "mapclassify",
        "tqdm",
        "jupytext",
    }
    assert needed <= _requirements_in()


def test_notebook_kernel_is_registered_in_the_environment():
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    assert config.KERNEL_NAME in specs, f"kernel {config.KERNEL_NAME!r} not registered; run 'make setup'"
