import { existsSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shippedModelFiles } from '../scripts/vite-shipped-models.ts';
import { defaultEntry } from '../src/app/shipped-index.ts';

const PUBLIC = path.resolve(__dirname, '../public');

function publicDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'shipped-'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

describe('the shipped models\' files known at build time (virtual:shipped-model-files)', () => {
  it('lists every model of public/models/index.json with its model.json and weight files, all present', () => {
    const files = shippedModelFiles(PUBLIC);
    const index = JSON.parse(readFileSync(path.join(PUBLIC, 'models/index.json'), 'utf8')) as { models: { id: string; url: string; default?: boolean }[] };
    expect(Object.keys(files.models)).toEqual(index.models.map((m) => m.id));
    expect(files.defaultId).toBe(index.models.find((m) => m.default)?.id);
    for (const m of index.models) {
      const entry = files.models[m.id];
      expect(entry.modelJson).toBe(m.url);
      // Named as its own metadata names it (what the page shows once the model is loaded).
      expect(entry.name).toBe((JSON.parse(readFileSync(path.join(PUBLIC, m.url), 'utf8')) as { userDefinedMetadata: { ghostnet: { name: string } } }).userDefinedMetadata.ghostnet.name);
      expect(entry.weights.length).toBeGreaterThan(0);
      for (const w of entry.weights) expect(existsSync(path.join(PUBLIC, w)), w).toBe(true);
    }
  });

  it('resolves weight paths against their model.json, as TF.js does', () => {
    const dir = publicDir({
      'models/index.json': { models: [{ id: 'a', url: 'models/a/model.json' }, { id: 'b', url: 'models/b/model.json', default: true }] },
      'models/a/model.json': { weightsManifest: [{ paths: ['w1.bin', 'w2.bin'] }, { paths: ['../shared/w3.bin'] }] },
      'models/b/model.json': { weightsManifest: [{ paths: ['weights.bin'] }] },
    });
    expect(shippedModelFiles(dir)).toEqual({
      index: 'models/index.json',
      defaultId: 'b',
      models: {
        a: { modelJson: 'models/a/model.json', weights: ['models/a/w1.bin', 'models/a/w2.bin', 'models/shared/w3.bin'] },
        b: { modelJson: 'models/b/model.json', weights: ['models/b/weights.bin'] },
      },
    });
  });

  it('takes the first model as the default when none is marked', () => {
    const dir = publicDir({
      'models/index.json': { models: [{ id: 'a', url: 'models/a/model.json' }] },
      'models/a/model.json': { weightsManifest: [{ paths: ['weights.bin'] }] },
    });
    expect(shippedModelFiles(dir).defaultId).toBe('a');
  });

  it('has one default rule with the page (startApp): the first entry marked true, else the first', () => {
    const models = [{ id: 'a', url: 'models/a/model.json' }, { id: 'b', url: 'models/b/model.json', default: 'yes' }, { id: 'c', url: 'models/c/model.json', default: true }, { id: 'd', url: 'models/d/model.json', default: true }];
    const dir = publicDir({
      'models/index.json': { models },
      ...Object.fromEntries(models.map((m) => [m.url, { weightsManifest: [{ paths: ['weights.bin'] }] }])),
    });
    expect(shippedModelFiles(dir).defaultId).toBe('c');
    expect(defaultEntry(models)?.id).toBe('c');
    expect(defaultEntry(models.slice(0, 2))?.id).toBe('a');
    expect(defaultEntry([])).toBeUndefined();
  });

  it('fails the build, naming the file, on a missing or malformed list or model.json', () => {
    expect(() => shippedModelFiles(publicDir({}))).toThrow(/cannot read models\/index\.json/);
    expect(() => shippedModelFiles(publicDir({ 'models/index.json': '{ not json' }))).toThrow(/cannot read models\/index\.json/);
    expect(() => shippedModelFiles(publicDir({ 'models/index.json': { list: [] } }))).toThrow(/has no "models" list/);
    expect(() => shippedModelFiles(publicDir({ 'models/index.json': { models: [{ id: 'a' }] } }))).toThrow(/no string id and url/);
    expect(() => shippedModelFiles(publicDir({ 'models/index.json': { models: [{ id: 'a', url: 'models/a/model.json' }] } }))).toThrow(/cannot read models\/a\/model\.json/);
    expect(() => shippedModelFiles(publicDir({
      'models/index.json': { models: [{ id: 'a', url: 'models/a/model.json' }] },
      'models/a/model.json': { modelTopology: {} },
    }))).toThrow(/models\/a\/model\.json has no weights manifest/);
    expect(() => shippedModelFiles(publicDir({
      'models/index.json': { models: [{ id: 'a', url: 'models/a/model.json' }] },
      'models/a/model.json': { weightsManifest: [{ paths: [3] }] },
    }))).toThrow(/weights group without paths/);
  });
});
