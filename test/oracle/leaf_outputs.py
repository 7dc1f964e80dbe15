"""One forward pass of a module on zeros with forward hooks on some of its submodules."""

import torch


def leaf_outputs(model, shape, modules):
    """{name: (module, output)} for each (name, module) of `modules` that ran, in the order of its first
    call; a module called several times (torchvision's one `relu` per block) keeps its last output."""
    outputs = {}

    def record(name):
        def hook(module, _inputs, output):
            outputs[name] = (module, output)
        return hook

    handles = [module.register_forward_hook(record(name)) for name, module in modules]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(shape))
    for handle in handles:
        handle.remove()
    return outputs
