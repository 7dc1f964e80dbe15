"""Weights in and out: safetensors with the .resnet keys, and the state a resume needs."""

import os

import torch

import safetensors_file


def replace_file(path, write):
    """Writes through a temporary file and renames it, so a stopped run never leaves half a file."""
    temporary = f'{path}.partial'
    write(temporary)
    os.replace(temporary, path)


def save_weights(model, path, metadata):
    state = {key: tensor.detach().cpu().contiguous() for key, tensor in model.state_dict().items()}
    replace_file(path, lambda target: safetensors_file.save_file(state, target, metadata=metadata))


def load_weights(path):
    return safetensors_file.load_file(path)


def load_matching(model, path):
    """Copies every tensor of the file whose key and shape the model has; reports what did not fit."""
    tensors = load_weights(path)
    state = model.state_dict()
    loaded, skipped = [], []
    with torch.no_grad():
        for key, target in state.items():
            source = tensors.get(key)
            if source is None or source.shape != target.shape:
                skipped.append({'key': key, 'shape': list(target.shape), 'file': None if source is None else list(source.shape)})
                continue
            target.copy_(source.to(target.dtype))
            loaded.append(key)
    unused = [key for key in tensors if key not in state]
    return {'source': path, 'loaded': len(loaded), 'total': len(state), 'skipped': skipped, 'unused': unused}


def save_state(path, state):
    replace_file(path, lambda target: torch.save(state, target))


def load_state(path):
    return torch.load(path, map_location='cpu')
