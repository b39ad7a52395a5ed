"""Builds the compiled part of the repair stage (``extract/repair/kernels.pyx``); everything
else about the project is declared in pyproject.toml."""
from Cython.Build import cythonize
from setuptools import setup

setup(ext_modules=cythonize("extract/repair/kernels.pyx", language_level=3))
