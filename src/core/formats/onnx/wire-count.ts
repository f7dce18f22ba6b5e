// Counting an ONNX graph's nodes on the protobuf wire, before decoding: ModelProto.graph (field 7)
// holds GraphProto.node (field 1, repeated), each length-delimited, so the count is a skip from
// field to field by their lengths, without building a single object. Malformed input stops the
// count (the decoder then says what is wrong).

const GRAPH_FIELD = 7;
const NODE_FIELD = 1;
const LENGTH_DELIMITED = 2;

/** The number of nodes in the graph of ModelProto `bytes` (0 when there is none or the wire ends early). */
export function countGraphNodes(bytes: Uint8Array): number {
  let count = 0;
  walk(bytes, 0, bytes.length, (field, wire, start, end) => {
    if (field === GRAPH_FIELD && wire === LENGTH_DELIMITED) {
      walk(bytes, start, end, (inner, innerWire) => {
        if (inner === NODE_FIELD && innerWire === LENGTH_DELIMITED) count++;
      });
    }
  });
  return count;
}

/** Calls `visit` for each field of the message in bytes[from, to); stops at the first malformed field. */
function walk(bytes: Uint8Array, from: number, to: number, visit: (field: number, wire: number, start: number, end: number) => void): void {
  let at = from;
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 64 && at < to; shift += 7) {
      const b = bytes[at++];
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return value;
    }
    return undefined;
  };
  while (at < to) {
    const tag = varint();
    if (tag === undefined) return;
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    let start = at;
    if (wire === 0) {
      if (varint() === undefined) return;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === LENGTH_DELIMITED) {
      const length = varint();
      if (length === undefined || at + length > to) return;
      start = at;
      at += length;
    } else return; // groups (3, 4) are not in ONNX's schema
    if (at > to) return;
    visit(field, wire, start, at);
  }
}
