// The GPU code path for real without a GPU: onnxruntime's WebGPU EP over Mesa's lavapipe (Vulkan on
// the CPU), installed by tools/setup-lavapipe.sh. Without it the test is skipped, except under CI,
// where a missing lavapipe is a failure rather than a silent skip.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InferenceClient } from '../../../engine/runtime/client';
import { exampleNetwork } from '../onnx/example-networks';
import { referenceIo, referenceModels, relativeError, topK } from '../onnx/oracle';

function lavapipeEnv(): NodeJS.ProcessEnv | undefined {
  if (process.env.VK_ICD_FILENAMES) return process.env;
  const cache = process.env.RESNET_STUDIO_LAVAPIPE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'resnet-studio', 'lavapipe');
  if (!existsSync(join(cache, '.complete'))) return undefined;
  const libraries = join(cache, 'root', 'usr', 'lib', process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu');
  return {
    ...process.env,
    VK_ICD_FILENAMES: join(cache, 'lvp_icd.json'),
    LD_LIBRARY_PATH: [libraries, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
}

const env = lavapipeEnv();
const skip = env === undefined && !process.env.CI ? 'lavapipe is not set up: run tools/setup-lavapipe.sh' : false;
const client = new InferenceClient({
  workerPath: join(__dirname, '..', '..', '..', 'engine', 'runtime', 'worker.ts'),
  execArgv: ['--import', 'tsx'],
  env: env ?? process.env,
});
after(() => client.dispose());

for (const name of ['fashion_resnet20', 'resnet18']) {
  test(`${name} on the WebGPU EP (lavapipe) matches torch with every node on WebGPU`, { skip, timeout: 600_000 }, async () => {
    assert.ok(env, 'lavapipe is not set up: run tools/setup-lavapipe.sh before the tests');
    const folder = referenceModels([name]);
    const network = exampleNetwork(name);
    const { input, logits } = await referenceIo(folder, name);
    const result = await client.infer({
      network,
      weights: { kind: 'file', path: join(folder, `${name}.safetensors`) },
      ep: 'webgpu',
      inputs: [{ kind: 'tensor', label: name, data: input, dims: [1, ...network.input!] }],
    });
    assert.equal(result.ep.ran, 'webgpu', JSON.stringify(result.ep));
    const actual = result.results[0]!.logits!;
    const error = relativeError(actual, logits);
    assert.ok(error < 1e-4, `max error ${error} relative to the largest logit`);
    assert.deepEqual(topK(actual, 5), topK(logits, 5));
  });
}
