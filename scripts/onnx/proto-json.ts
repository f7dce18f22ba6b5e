// Turns ONNX's own schema (src/core/formats/onnx/onnx.proto, copied from the onnx Python package,
// Apache-2.0) into the JSON descriptor protobufjs/light loads at run time: the reader is generated
// from the schema, never written by hand. Run after updating onnx.proto: npx tsx scripts/onnx/proto-json.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

const dir = join(__dirname, '..', '..', 'src', 'core', 'formats', 'onnx');
const root = protobuf.loadSync(join(dir, 'onnx.proto'));
writeFileSync(join(dir, 'onnx-proto.json'), `${JSON.stringify(root.toJSON({ keepComments: false }))}\n`);
console.log(`wrote ${join(dir, 'onnx-proto.json')}`);
