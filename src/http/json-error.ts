/**
 * @module
 * Where a JSON text stops being valid. V8's own message gives the position only for longer
 * texts ("... is not valid JSON" for short ones), so the position is found by a scan.
 */

const WS = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;

class Stop {
  constructor(readonly at: number) {}
}

/**
 * The offset of the first character at which `text` is not valid JSON (its length when it ends
 * too early), or -1 when it is valid.
 *
 * @example jsonErrorOffset('{"a": 1,}') // 8
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const match = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) throw new Stop(i);
    i += m[0].length;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === "{") {
      i++;
      ws();
      if (text[i] === "}") return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') throw new Stop(i);
        match(STRING);
        ws();
        if (text[i] !== ":") throw new Stop(i);
        i++;
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "}") return void i++;
        else throw new Stop(i);
      }
    }
    if (ch === "[") {
      i++;
      ws();
      if (text[i] === "]") return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === "]") return void i++;
        else throw new Stop(i);
      }
    }
    if (ch === '"') return match(STRING);
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) return void (i += word.length);
    }
    match(NUMBER);
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (stop) {
    if (stop instanceof Stop) return stop.at;
    throw stop;
  }
}

/** `position 8 (line 1 column 9)`, as V8 words it, for an offset into a text. */
export function describeOffset(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `position ${offset} (line ${line} column ${column})`;
}

/**
 * The offset of the bracket that nests deeper than `max`, or -1. Parsing allows any depth, but
 * passing a value on (structured clone, `JSON.stringify`) overflows the stack at a few thousand.
 *
 * @example nestingOffset("[[[1]]]", 2) // 2
 */
export function nestingOffset(text: string, max: number): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++;
      else if (ch === 0x22) inString = false;
    } else if (ch === 0x22) {
      inString = true;
    } else if (ch === 0x7b || ch === 0x5b) {
      if (++depth > max) return i;
    } else if (ch === 0x7d || ch === 0x5d) {
      depth--;
    }
  }
  return -1;
}
