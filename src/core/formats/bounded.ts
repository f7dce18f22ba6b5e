import type { Diagnostic } from '../ir';
import { MAX_REPORTED_ERRORS } from './limits';

// What every parser needs to stay linear on hostile input: unique ids for repeated names without
// retrying from the first suffix each time, and problems capped per kind with a count of the rest.

/** Ids made unique with a numbered suffix (`d`, `d~2`, `d~3`, …): 50,000 layers of one name cost linear time. */
export class UniqueIds {
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  constructor(private readonly separator: string) {}

  /** `wanted` if free, else the next free numbered form of it. */
  take(wanted: string): string {
    let id = wanted;
    for (let n = this.nextSuffix.get(wanted) ?? 2; this.taken.has(id); n++) {
      id = `${wanted}${this.separator}${n}`;
      this.nextSuffix.set(wanted, n + 1);
    }
    this.taken.add(id);
    return id;
  }
}

/** Diagnostics with at most MAX_REPORTED_ERRORS of each code listed; `finish` appends "and K more" per code. */
export class BoundedDiagnostics {
  readonly list: Diagnostic[] = [];
  private readonly counts = new Map<string, number>();

  add(d: Diagnostic): void {
    const count = (this.counts.get(d.code) ?? 0) + 1;
    this.counts.set(d.code, count);
    if (count <= MAX_REPORTED_ERRORS) this.list.push(d);
  }

  /** The list, with one line for each code that had more problems than were listed. */
  finish(): Diagnostic[] {
    for (const [code, count] of this.counts) {
      if (count <= MAX_REPORTED_ERRORS) continue;
      const first = this.list.find((d) => d.code === code)!;
      this.list.push({ severity: first.severity, code, message: `and ${(count - MAX_REPORTED_ERRORS).toLocaleString('en-US')} more ${code} problems like the ones above` });
    }
    this.counts.clear();
    return this.list;
  }
}
