// How much CNN Lens reads of each kind of file, and how large a declared size (a zip entry, an
// HDF5 dataset, an image header) may be before anything is allocated for it. A model file is
// untrusted input: every reader checks sizes against these first and refuses with a message that
// says which limit, so no file can make CNN Lens take memory without bound.

/** The kinds of file CNN Lens reads; each has its own cap. */
export type FileKind = 'model' | 'weights' | 'labels' | 'image' | 'tensor' | 'style';

/** Node's largest single buffer read from a file (2 GiB − 1): the cap of the kinds that can be that big. */
export const MAX_ONE_READ = 2 ** 31 - 1;
const MiB = 1024 * 1024;

export const READ_LIMITS: Readonly<Record<FileKind, { readonly bytes: number; readonly what: string }>> = {
  // ONNX keeps a model up to protobuf's 2 GiB in one file; text formats are checked again by the JSON reader.
  model: { bytes: MAX_ONE_READ, what: 'a model file' },
  // A weights file or shard (a .h5, .keras, .bin, ONNX external data): VGG-16's is 528 MB.
  weights: { bytes: MAX_ONE_READ, what: 'a weights file' },
  labels: { bytes: 16 * MiB, what: 'a label file' },
  image: { bytes: 256 * MiB, what: 'an image' },
  tensor: { bytes: 1024 * MiB, what: 'a tensor file' },
  // Style presets, their transform networks and the loss network's files.
  style: { bytes: MAX_ONE_READ, what: 'a style file' },
};

/** Text model files (JSON) above this are refused before parsing: the zoo's largest (ResNet-152) is under 1 MB. */
export const MAX_TEXT_MODEL_BYTES = 16 * MiB;

/** Nodes one graph may have (real CNNs have hundreds to a few thousand); beyond it the file is refused, so any file is answered in seconds. */
export const MAX_GRAPH_NODES = 100_000;

/** JSON nested deeper than this is refused (Keras nests a model a dozen levels at most). */
export const MAX_JSON_DEPTH = 512;

/** Images whose header declares more pixels than this are refused before decoding (RGBA at 64 MP is 256 MB). */
export const MAX_IMAGE_PIXELS = 64 * MiB;

/** Zip archives (.keras): entries, one entry's unpacked size, and all entries' together. */
export const ZIP_LIMITS = { entries: 10_000, entryBytes: MAX_ONE_READ, totalBytes: 4 * 1024 * MiB } as const;

/** One HDF5 dataset's bytes, from its declared shape and element size, before it is read. */
export const MAX_DATASET_BYTES = MAX_ONE_READ;

/** Layers a Keras file may expand to, every call of every nested model drawn (ResNet-152 has ~500). */
export const MAX_EXPANDED_LAYERS = 20_000;

/** The most errors one file reports one by one; the rest are counted ("and K more"). */
export const MAX_REPORTED_ERRORS = 50;

/** A byte count for messages: MiB above one MiB. */
export const bytesText = (n: number): string => (n >= MiB ? `${(n / MiB).toLocaleString('en-US', { maximumFractionDigits: 1 })} MiB` : `${n.toLocaleString('en-US')} bytes`);

/** "2,147,483,648 bytes is more than the 16 MiB CNN Lens reads of a label file": the reason when a size passes a cap. */
export function tooLargeReason(bytes: number, kind: FileKind): string {
  const limit = READ_LIMITS[kind];
  return `${bytes.toLocaleString('en-US')} bytes is more than the ${bytesText(limit.bytes)} CNN Lens reads of ${limit.what}`;
}
