// The `resnet/graph` request against the real language server process, over JSON-RPC as the
// VS Code client sends it: the graph follows the document's edits and versions.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { graphRequest, type GraphResult } from '../../../contracts/graph';
import { TestServer } from '../../lsp/server';

const text = readFileSync(join(__dirname, '../../fixtures/graph/resnet50.resnet'), 'utf8');
const uri = 'file:///work/resnet50.resnet';
let server: TestServer;

before(async () => {
  server = await TestServer.start();
  server.open(uri, text);
});
after(() => server.stop());

const request = (params: { textDocument: { uri: string }; network?: string }) => server.connection.sendRequest(graphRequest.method, params) as Promise<GraphResult | null>;

test('resnet/graph answers with the graph of the open document', async () => {
  const result = await request({ textDocument: { uri } });
  assert.ok(result?.graph);
  assert.equal(result.uri, uri);
  assert.equal(result.version, 1);
  assert.equal(result.broken, false);
  assert.deepEqual(result.networks.map((n) => n.name), ['resnet50']);
  assert.equal(result.graph.params, 25557032);
  assert.equal(result.graph.groups.filter((g) => g.kind === 'block').length, 16);
  assert.ok(result.graph.edges.some((e) => e.from === 'n:conv1' && e.to === 'n:bn1' && e.shape?.join('×') === '1×64×112×112'));
});

test('after an edit the answer is the new version, and a syntax error marks it broken', async () => {
  const version = server.change(uri, text.replace('linear(1000)', 'linear(10)'));
  const edited = await request({ textDocument: { uri } });
  assert.equal(edited?.version, version);
  assert.equal(edited?.graph?.nodes.find((n) => n.id === 'n:fc')?.args, '2048→10');
  server.change(uri, text.replace('bottleneck(256) x6', 'bottleneck(256 x6'));
  const broken = await request({ textDocument: { uri } });
  assert.equal(broken?.broken, true);
  assert.equal(broken?.problems[0].code, 'RS0001');
});

test('a document the server does not hold gets null', async () => {
  assert.equal(await request({ textDocument: { uri: 'file:///work/not-open.resnet' } }), null);
});
