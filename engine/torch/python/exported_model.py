"""Loads a module file written by `resnet-studio export --format pytorch` and calls its build()."""

import importlib.util


def build(path):
    spec = importlib.util.spec_from_file_location('resnet_studio_model', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build()
