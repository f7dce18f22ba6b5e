import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { detectFormat, parseSource } from '../../src/core/formats/registry';
import { bytesSource } from '../../src/core/formats/source';
import { readTfliteIndex, tfliteFixturePath } from '../support/tflite-fixtures';

// A .tflite file is untrusted input: each broken one gets a clear error naming the file (and the
// tensor or operator) and the reason; nothing throws, and sizes are checked before anything is
// allocated. The broken files come from the Python writer (scripts/tflite/export_fixtures.py)
// or are cut from its and npm's files here.

const bytesOf = (file: string): Uint8Array => new Uint8Array(readFileSync(tfliteFixturePath(file)));
const errorsOf = (name: string, bytes: Uint8Array): string[] => parseSource(bytesSource(name, bytes)).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);

describe('TFLite bad input', function () {
  this.timeout(120_000);

  const cutFrom = ['every_op.tflite', 'mobilenet_v1_int8.tflite', ...Object.keys(readTfliteIndex().files).filter((f) => f.startsWith('npm/face_detection_short'))];
  for (const file of cutFrom) {
    it(`a truncated FlatBuffer (${file} cut at 13 points): an error naming the file, never an exception`, () => {
      const whole = bytesOf(file);
      const cuts = [0, 4, 7, 8, 12, 64, 1000, whole.length >> 2, whole.length >> 1, whole.length - 64, whole.length - 1].filter((c) => c < whole.length);
      for (const cut of cuts) {
        const errors = errorsOf('cut.tflite', whole.slice(0, cut));
        assert.ok(errors.length > 0, `cut at ${cut} of ${whole.length} bytes gives an error`);
        assert.ok(errors.every((e) => e.startsWith('cut.tflite: ')), `cut at ${cut}: ${errors[0]}`);
      }
      assert.deepEqual(errorsOf('cut.tflite', whole.slice(0, 7)), ['cut.tflite: the file has 7 bytes, too few for a FlatBuffer']);
      assert.match(errorsOf('cut.tflite', whole.slice(0, whole.length - 1))[0], /past the end of the file|truncated/);
    });
  }

  it('a FlatBuffer of another schema (flatc’s binary reflection schema, identifier BFBS): not a TFLite model, by its identifier', () => {
    const bytes = bytesOf('other_schema.bfbs');
    assert.deepEqual(errorsOf('models/x.tflite', bytes), ['models/x.tflite: the file identifier is "BFBS", not "TFL3": it is not a TFLite model (a FlatBuffer of another schema, or another kind of file)']);
    assert.equal(detectFormat(bytesSource('x.bfbs', bytes)), undefined, 'not detected as TFLite under its own name');
  });

  it('a buffer whose offset (the form for files over 2 GB) points past the end of the file: the tensor and the bytes named', () => {
    assert.deepEqual(errorsOf('m.tflite', bytesOf('bad_buffer_offset.tflite')), ['m.tflite: tensor 1 ("conv/filter"): buffer 1 declares bytes 1000000000–1000000432, past the end of the file (480 bytes)']);
  });

  it('a tensor whose declared shape disagrees with its buffer: both sizes named', () => {
    assert.deepEqual(errorsOf('m.tflite', bytesOf('bad_shape.tflite')), ['m.tflite: tensor 1 ("conv/filter") declares shape [4, 3, 3, 3] of FLOAT32 (432 bytes), but its buffer 1 holds 100 bytes']);
  });

  it('a tensor whose data is in an external buffer (schema 3d): said so, by name, rather than read', () => {
    assert.deepEqual(errorsOf('m.tflite', bytesOf('bad_external_buffer.tflite')), ['m.tflite: tensor 1 ("conv/filter") keeps its data in external buffer 1, a file next to the model, which CNN Lens does not read yet']);
  });

  it('a vector claiming 2^31 − 1 tensors is refused before anything is allocated', () => {
    const before = process.memoryUsage().heapUsed;
    const started = performance.now();
    assert.deepEqual(errorsOf('m.tflite', bytesOf('bad_huge_count.tflite')), ['m.tflite: the file declares 2147483647 tensors in subgraph 0, more than its 16272 bytes can hold: it is truncated or corrupt']);
    // Bounds, not timings: an allocation of 2^31 entries would take gigabytes and seconds.
    assert.ok(process.memoryUsage().heapUsed - before < 64 * 2 ** 20, 'heap grew by less than 64 MiB');
    assert.ok(performance.now() - started < 5_000);
  });

  it('random bytes under a .tflite name, and a JSON file: clear errors, no exception', () => {
    const noise = new Uint8Array(4096).map((_, i) => (i * 2654435761) >>> 24);
    assert.match(errorsOf('n.tflite', noise)[0], /^n\.tflite: the file identifier is (bytes [0-9a-f ]+|"[^"]*"), not "TFL3"/);
    // JSON under a .tflite name is answered as what it is (the registry's message for files that are no model).
    assert.match(errorsOf('j.tflite', new TextEncoder().encode('{"format": "layers-model"}'))[0], /^j\.tflite is a JSON file, not a model/);
  });
});
