// A Python pickle reader that executes nothing: it builds plain values from the opcodes (protocols
// 2 to 5, the ones torch.save and torch.jit.save write), and hands every global the pickle names to
// `resolve`, which either turns it into a value (a marker the caller understands) or refuses the
// file. REDUCE, NEWOBJ and BUILD never call anything: they make a `PyCall`/`PyObject` record, or the
// caller's `call` turns a recognised marker and its arguments into a value. A pickle is untrusted
// input: the first unknown global ends the read with a message naming it.

/** A refused or damaged pickle: `reason` is for the user. */
export class PickleError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'PickleError';
  }
}

/** A global the pickle named (`collections.OrderedDict`), as `resolve` accepted it. */
export interface PyGlobal {
  readonly kind: 'global';
  readonly module: string;
  readonly name: string;
}

/** An instance of a class the caller accepted (a TorchScript module, `__torch__.…`): its class and its BUILD state. */
export interface PyObject {
  readonly kind: 'object';
  readonly type: PyGlobal;
  state?: PyValue;
}

export type PyValue =
  | null | boolean | number | bigint | string | Uint8Array
  | PyValue[]
  | Map<PyValue, PyValue>
  | PyGlobal | PyObject
  | { readonly kind: string };

export interface PickleHooks {
  /** The value a global stands for; throws a PickleError (naming it) for one not allowed. */
  readonly resolve: (module: string, name: string) => PyValue;
  /** REDUCE / NEWOBJ of a resolved global with its arguments: the value it builds, without running code. */
  readonly call: (callable: PyValue, args: PyValue[]) => PyValue;
  /** BINPERSID: what a persistent id (a tensor storage's key) stands for. */
  readonly persistent: (pid: PyValue) => PyValue;
}

const MARK = Symbol('mark');
type Slot = PyValue | typeof MARK;

/** Reads one pickle starting at `offset`; returns its value and where it stopped (legacy torch files hold several in a row). */
export function unpickle(bytes: Uint8Array, hooks: PickleHooks, offset = 0): { value: PyValue; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const memo = new Map<number, PyValue>();
  let at = offset;
  const need = (n: number): number => {
    if (at + n > bytes.length) throw new PickleError(`the pickle is cut short at byte ${at} (it needs ${n} more)`);
    const start = at;
    at += n;
    return start;
  };
  const u8 = () => bytes[need(1)];
  const u16 = () => view.getUint16(need(2), true);
  const u32 = () => view.getUint32(need(4), true);
  const u64 = (): number => {
    const lo = view.getUint32(need(4), true);
    return lo + view.getUint32(need(4), true) * 2 ** 32;
  };
  const raw = (n: number) => bytes.subarray(need(n), at);
  const utf8 = (n: number) => new TextDecoder().decode(raw(n));
  const line = (): string => {
    const end = bytes.indexOf(0x0a, at);
    if (end < 0) throw new PickleError(`the pickle is cut short at byte ${at} (a GLOBAL's name has no end)`);
    const text = new TextDecoder().decode(bytes.subarray(at, end));
    at = end + 1;
    return text;
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`the pickle is damaged at byte ${at - 1}: an opcode finds its stack empty`);
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError(`the pickle is damaged at byte ${at - 1}: an opcode finds its stack empty`);
    return v;
  };
  const popMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) throw new PickleError(`the pickle is damaged at byte ${at - 1}: no MARK to close`);
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const longOf = (b: Uint8Array): number | bigint => {
    let n = 0n;
    for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]);
    if (b.length && b[b.length - 1] & 0x80) n -= 1n << BigInt(8 * b.length);
    return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
  };
  const setItems = (target: PyValue, items: PyValue[]) => {
    if (!(target instanceof Map)) throw new PickleError(`the pickle is damaged at byte ${at - 1}: SETITEM on something that is not a dict`);
    for (let i = 0; i + 1 < items.length; i += 2) target.set(items[i], items[i + 1]);
  };
  const append = (target: PyValue, items: PyValue[]) => {
    if (!Array.isArray(target)) throw new PickleError(`the pickle is damaged at byte ${at - 1}: APPEND on something that is not a list`);
    target.push(...items);
  };
  const tuple = (v: PyValue): PyValue[] => {
    if (!Array.isArray(v)) throw new PickleError(`the pickle is damaged at byte ${at - 1}: a call's arguments are not a tuple`);
    return v;
  };
  const global = (module: string, name: string) => stack.push(hooks.resolve(module, name));

  for (;;) {
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: u64(); break; // FRAME: a length hint only
      case 0x2e: return { value: pop(), end: at }; // STOP
      case 0x28: stack.push(MARK); break; // MARK
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push([]); break; // EMPTY_TUPLE
      case 0x8f: stack.push([]); break; // EMPTY_SET (as a list)
      case 0x64: { const m = new Map<PyValue, PyValue>(); setItems(m, popMark()); stack.push(m); break; } // DICT
      case 0x6c: case 0x74: case 0x91: stack.push(popMark()); break; // LIST, TUPLE, FROZENSET
      case 0x85: stack.push([pop()]); break; // TUPLE1
      case 0x86: { const b = pop(); stack.push([pop(), b]); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); stack.push([pop(), b, c]); break; } // TUPLE3
      case 0x4a: stack.push(view.getInt32(need(4), true)); break; // BININT
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x8a: stack.push(longOf(raw(u8()))); break; // LONG1
      case 0x8b: stack.push(longOf(raw(u32()))); break; // LONG4
      case 0x47: stack.push(view.getFloat64(need(8), false)); break; // BINFLOAT (big-endian)
      case 0x58: stack.push(utf8(u32())); break; // BINUNICODE
      case 0x8c: stack.push(utf8(u8())); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(utf8(u64())); break; // BINUNICODE8
      case 0x54: stack.push(new TextDecoder('latin1').decode(raw(u32()))); break; // BINSTRING
      case 0x55: stack.push(new TextDecoder('latin1').decode(raw(u8()))); break; // SHORT_BINSTRING
      case 0x42: stack.push(raw(u32())); break; // BINBYTES
      case 0x43: stack.push(raw(u8())); break; // SHORT_BINBYTES
      case 0x8e: case 0x96: stack.push(raw(u64())); break; // BINBYTES8, BYTEARRAY8
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x63: { const module = line(); global(module, line()); break; } // GLOBAL
      case 0x93: { const name = pop(); const module = pop(); global(String(module), String(name)); break; } // STACK_GLOBAL
      case 0x52: { const args = tuple(pop()); stack.push(hooks.call(pop(), args)); break; } // REDUCE
      case 0x81: { const args = tuple(pop()); stack.push(hooks.call(pop(), args)); break; } // NEWOBJ
      case 0x92: { pop(); const args = tuple(pop()); stack.push(hooks.call(pop(), args)); break; } // NEWOBJ_EX (kwargs dropped)
      case 0x62: { // BUILD: an object's state; a dict's (an OrderedDict's _metadata) is not needed
        const state = pop();
        const target = top();
        if (target && typeof target === 'object' && 'kind' in target && target.kind === 'object') (target as PyObject).state = state;
        break;
      }
      case 0x51: stack.push(hooks.persistent(pop())); break; // BINPERSID
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x61: { const v = pop(); append(top(), [v]); break; } // APPEND
      case 0x65: case 0x90: { const items = popMark(); append(top(), items); break; } // APPENDS, ADDITEMS
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw new PickleError(`the pickle is damaged at byte ${at - 1}: it reads memo ${key}, never written`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        throw new PickleError(`the pickle uses opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at - 1}, which CNN Lens does not read (not one torch.save writes)`);
    }
  }
}
