"""The checkout keeps templates/, static/ and migrations/ beside the package; an install puts
them inside it, as eip_site/templates and so on (eip_site.config finds either), every file.
Everything else is in pyproject.toml."""

from setuptools import find_namespace_packages, find_packages, setup

FOLDERS = {f"eip_site.{name}": name for name in ("templates", "static", "migrations")}
data = [f"{package}{sub}" for package, folder in FOLDERS.items()
        for sub in ["", *(f".{p}" for p in find_namespace_packages(folder, exclude=["*__pycache__*"]))]]

setup(packages=find_packages(include=["eip_site*"]) + data, package_dir=FOLDERS,
      package_data={"eip_site": ["auth/common-passwords.txt", "seeds/vocabulary.toml"]}
      | {package: ["*"] for package in data})
