import type { ModelFormat } from './format';
import { baseName, bytesSource, textSource, type ModelSource } from './source';

// Files that are models in a format CNN Lens does not read yet, or not models at all: what the user
// is told instead of an empty diagram. A table of signatures (leading bytes, name endings) with
// what to do now; a signature that a registered format reads drops out by itself: its sample is
// offered to the formats' own detect(), so when (say) TFLite lands, .tflite files go to it and the
// list of formats "not read yet" no longer names it.

interface UnreadSignature {
  /** "TensorFlow Lite", as messages name it. */
  readonly name: string;
  /** Name endings (lower case, with the dot). */
  readonly extensions: readonly string[];
  /** True when the file's content is this format's (its extension alone is not enough). */
  readonly matches: (bytes: Uint8Array, name: string) => boolean;
  /** A minimal file of this format, for asking the registered formats whether they read it now. */
  readonly sample: () => ModelSource;
  /** What to do now, with the file's own name in the command. */
  readonly advice: (file: string) => { readonly text: string; readonly command: string };
}

const ascii = (bytes: Uint8Array, from: number, length: number): string => String.fromCharCode(...bytes.subarray(from, from + length));
const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((b, i) => bytes[i] === b);
const endsWith = (name: string, extensions: readonly string[]): boolean => extensions.some((e) => name.toLowerCase().endsWith(e));
const stem = (file: string): string => baseName(file).replace(/\.[^.]*$/, '');
/** The first few kilobytes as text, for text formats (a binary file gives garbage that matches nothing). */
const head = (bytes: Uint8Array): string => new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 4096));

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
/** Python pickles (legacy torch.save): protocol 2+ starts with 0x80 and the protocol number. */
const isPickle = (bytes: Uint8Array): boolean => bytes[0] === 0x80 && bytes[1] >= 2 && bytes[1] <= 5;
/** safetensors: an 8-byte little-endian header length, then the JSON header. */
const isSafetensors = (bytes: Uint8Array): boolean => bytes.length > 9 && bytes[8] === 0x7b && bytes[6] === 0 && bytes[7] === 0;
const TO_ONNX_TORCH = (file: string) => ({
  text: 'PyTorch files need the model\u2019s Python class to be read. Export it to ONNX, which CNN Lens reads, from the code that builds the model:',
  command: `torch.onnx.export(model.eval(), torch.randn(1, 3, 224, 224), "${stem(file)}.onnx")`,
});

const SIGNATURES: readonly UnreadSignature[] = [
  {
    name: 'Keras HDF5 (.h5, .keras)',
    extensions: ['.h5', '.hdf5', '.keras'],
    // Keras 3's .keras is a zip holding config.json and model.weights.h5.
    matches: (bytes, name) => startsWith(bytes, HDF5) || (startsWith(bytes, ZIP) && endsWith(name, ['.keras'])),
    sample: () => bytesSource('model.h5', new Uint8Array([...HDF5, ...new Array(56).fill(0)])),
    advice: (file) => ({
      text: 'Save the architecture as JSON next to it: CNN Lens opens the JSON, and runs it with these weights.',
      command: `python -c "import keras; open('${stem(file)}.json', 'w').write(keras.models.load_model('${baseName(file)}').to_json())"`,
    }),
  },
  {
    name: 'TensorFlow Lite (.tflite)',
    extensions: ['.tflite'],
    matches: (bytes) => ascii(bytes, 4, 4) === 'TFL3',
    sample: () => bytesSource('model.tflite', new Uint8Array([0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33, ...new Array(56).fill(0)])),
    advice: (file) => ({ text: 'Convert it to ONNX, which CNN Lens reads (pip install tf2onnx):', command: `python -m tf2onnx.convert --tflite ${baseName(file)} --output ${stem(file)}.onnx` }),
  },
  {
    name: 'TensorFlow.js graph model (model.json)',
    extensions: ['.json'],
    matches: (bytes) => /"format"\s*:\s*"graph-model"/.test(head(bytes)) || (/"modelTopology"\s*:\s*\{\s*"node"\s*:/.test(head(bytes))),
    sample: () => textSource('model.json', '{"format": "graph-model", "generatedBy": "2.15.0", "modelTopology": {"node": [], "library": {}, "versions": {}}, "weightsManifest": []}'),
    advice: (file) => ({ text: 'Convert it to ONNX, which CNN Lens reads (pip install tf2onnx):', command: `python -m tf2onnx.convert --tfjs ${baseName(file)} --output ${stem(file)}.onnx` }),
  },
  {
    name: 'TensorFlow SavedModel / frozen graph (.pb)',
    extensions: ['.pb'],
    // A GraphDef or SavedModel protobuf: field 1 (a node, or the saved_model_schema_version) comes first.
    matches: (bytes, name) => endsWith(name, ['.pb']) && (bytes[0] === 0x08 || bytes[0] === 0x0a || bytes[0] === 0x12),
    // A frozen GraphDef (field 1, a node): a SavedModel's leading 0x08 0x01 0x12 reads like ONNX's header, and ONNX's detect takes it.
    sample: () => bytesSource('frozen_graph.pb', new Uint8Array([0x0a, 0x02, 0x0a, 0x00])),
    advice: (file) => ({
      text: 'Convert it to ONNX, which CNN Lens reads (pip install tf2onnx; for a frozen graph use --graphdef with --inputs and --outputs):',
      command: `python -m tf2onnx.convert --saved-model ${file.replace(/[\\/][^\\/]*$/, '') || '.'} --output model.onnx`,
    }),
  },
  {
    // The deploy.prototxt is read (formats/caffe); the trained weights beside it are not yet.
    name: 'Caffe weights (.caffemodel)',
    extensions: ['.caffemodel'],
    matches: (_bytes, name) => endsWith(name, ['.caffemodel']),
    sample: () => bytesSource('net.caffemodel', new Uint8Array([0x0a, 0x03, 0x6e, 0x65, 0x74])),
    advice: (file) => ({ text: 'CNN Lens reads the architecture from the deploy file next to it (open it to see the diagram); to run with these weights, convert both to ONNX (pip install mmdnn):', command: `mmconvert -sf caffe -in ${stem(file)}.prototxt -iw ${stem(file)}.caffemodel -df onnx -om ${stem(file)}.onnx` }),
  },
  {
    name: 'PyTorch (.pt, .pth)',
    extensions: ['.pt', '.pth', '.bin'],
    matches: (bytes, name) => endsWith(name, ['.pt', '.pth', '.bin']) && (startsWith(bytes, ZIP) || isPickle(bytes)),
    sample: () => bytesSource('model.pt', new Uint8Array([...ZIP, ...new Array(60).fill(0)])),
    advice: TO_ONNX_TORCH,
  },
  {
    name: 'safetensors (.safetensors)',
    extensions: ['.safetensors'],
    matches: (bytes, name) => isSafetensors(bytes) && endsWith(name, ['.safetensors']),
    sample: () => bytesSource('model.safetensors', new Uint8Array([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d])),
    advice: (file) => ({
      text: 'A safetensors file holds weights only, no architecture. Export the model that loads them to ONNX, which CNN Lens reads:',
      command: TO_ONNX_TORCH(file).command,
    }),
  },
];

/** True when no registered format reads this signature's files yet (by their content, or by a name ending it alone claims). */
function stillUnread(signature: UnreadSignature, formats: readonly ModelFormat[]): boolean {
  const sample = signature.sample();
  if (formats.some((f) => safeDetect(f, sample))) return false;
  const claimed = new Set(formats.flatMap((f) => f.extensions));
  // '.json' is shared by several formats: only the content decides there.
  const own = signature.extensions.filter((e) => e !== '.json');
  return !(own.length && own.every((e) => claimed.has(e)));
}

const safeDetect = (format: ModelFormat, source: ModelSource): boolean => {
  try {
    return format.detect(source);
  } catch {
    return false;
  }
};

/** The model formats CNN Lens knows of but does not read yet. */
export const comingFormats = (formats: readonly ModelFormat[]): readonly string[] => SIGNATURES.filter((s) => stillUnread(s, formats)).map((s) => s.name);

/** Binary name endings of formats not read yet: the read-only diagram opens them to say what to do. */
export const unreadBinaryExtensions = (formats: readonly ModelFormat[]): readonly string[] =>
  SIGNATURES.filter((s) => stillUnread(s, formats)).flatMap((s) => s.extensions).filter((e) => !['.json', '.prototxt', '.bin'].includes(e));

/** "ONNX (.onnx), Keras / TF.js layers (JSON) (.json)". */
export const supportedFormats = (formats: readonly ModelFormat[]): string => formats.map((f) => `${f.displayName} (${f.extensions.join(', ')})`).join(', ');

/** What CNN Lens can say about a file no registered format reads. */
export interface UnreadFile {
  /** The file as the user named it. */
  readonly file: string;
  /** `unread`: a model in a format CNN Lens does not read yet; `not-a-model`: a JSON file without a model; `unknown`: neither. */
  readonly kind: 'unread' | 'not-a-model' | 'unknown';
  /** The format recognised, for `unread`. */
  readonly format?: string;
  /** What was recognised, and why it is not shown. */
  readonly reason: string;
  /** The formats CNN Lens reads. */
  readonly supported: string;
  /** What to do now, and the command that does it. */
  readonly advice?: { readonly text: string; readonly command: string };
}

/** Recognises a file that no format in `formats` reads: a model of a format not read yet, a JSON file that is no model, or neither. */
export function recogniseUnread(source: ModelSource, formats: readonly ModelFormat[]): UnreadFile {
  const bytes = source.bytes();
  const file = source.name;
  const supported = `CNN Lens reads ${supportedFormats(formats)}.`;
  const signature = SIGNATURES.find((s) => stillUnread(s, formats) && s.matches(bytes, file));
  if (signature) return { file, kind: 'unread', format: signature.name, reason: `${baseName(file)} is a ${signature.name} model, a format CNN Lens does not read yet.`, supported, advice: signature.advice(file) };
  const text = head(bytes).trimStart();
  if (text.startsWith('{') || text.startsWith('[')) {
    const what = baseName(file) === 'package.json' && /"name"\s*:/.test(text) ? 'an npm package manifest' : 'a JSON file';
    return { file, kind: 'not-a-model', reason: `${baseName(file)} is ${what}, not a model: it holds no Keras or TF.js layers model ("class_name": "Sequential", "Functional" or "Model").`, supported };
  }
  return { file, kind: 'unknown', reason: `${baseName(file)} is not a model file CNN Lens recognises.`, supported };
}

/** The whole message in one line, for diagnostics, notifications and the CLI; the command in backticks. */
export const unreadMessage = (u: UnreadFile): string => [u.reason, u.supported, ...(u.advice ? [`${u.advice.text} \`${u.advice.command}\``] : [])].join(' ');

/** The diagnostic code of an unread file's one problem: the diagram shows it as a message instead of a drawing. */
export const UNREAD_CODE = 'format';
