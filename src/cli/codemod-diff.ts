// A unified diff (as `diff -u` prints it) for --dry-run: a line-level LCS over
// the region between the common prefix and suffix, which for a codemod's edits
// (a few lines changed in a file) is small.

const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

export function unifiedDiff(path: string, before: string, after: string): string {
  if (before === after) return '';
  const a = before.split('\n');
  const b = after.split('\n');
  let prefix = 0;
  while (prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  let suffix = 0;
  while (suffix < a.length - prefix && suffix < b.length - prefix && a[a.length - 1 - suffix] === b[b.length - 1 - suffix]) suffix++;
  const ops: Op[] = [
    ...a.slice(0, prefix).map((line) => ({ kind: ' ' as const, line })),
    ...lcsOps(a.slice(prefix, a.length - suffix), b.slice(prefix, b.length - suffix)),
    ...a.slice(a.length - suffix).map((line) => ({ kind: ' ' as const, line })),
  ];
  return `--- a/${path}\n+++ b/${path}\n${hunks(ops)}`;
}

function lcsOps(a: string[], b: string[]): Op[] {
  // lengths[i][j]: LCS of a[i..] and b[j..]
  const lengths = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lengths[i]![j] = a[i] === b[j] ? lengths[i + 1]![j + 1]! + 1 : Math.max(lengths[i + 1]![j]!, lengths[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++]! });
      j++;
    } else if (i < a.length && (j === b.length || lengths[i + 1]![j]! >= lengths[i]![j + 1]!)) {
      ops.push({ kind: '-', line: a[i++]! }); // removals before additions, as diff -u prints them
    } else {
      ops.push({ kind: '+', line: b[j++]! });
    }
  }
  return ops;
}

function hunks(ops: Op[]): string {
  let out = '';
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.kind === ' ') {
      k++;
      continue;
    }
    // A hunk: CONTEXT lines before the change, through changes separated by at most 2*CONTEXT unchanged lines.
    let start = Math.max(0, k - CONTEXT);
    let end = k;
    while (end < ops.length) {
      let next = end;
      while (next < ops.length && ops[next]!.kind === ' ') next++;
      if (next >= ops.length || next - end > 2 * CONTEXT) break;
      end = next;
      while (end < ops.length && ops[end]!.kind !== ' ') end++;
    }
    end = Math.min(ops.length, end + CONTEXT);
    const slice = ops.slice(start, end);
    const lineA = ops.slice(0, start).filter((op) => op.kind !== '+').length + 1;
    const lineB = ops.slice(0, start).filter((op) => op.kind !== '-').length + 1;
    const countA = slice.filter((op) => op.kind !== '+').length;
    const countB = slice.filter((op) => op.kind !== '-').length;
    out += `@@ -${lineA},${countA} +${lineB},${countB} @@\n${slice.map((op) => op.kind + op.line).join('\n')}\n`;
    k = end;
    start = end;
  }
  return out;
}
