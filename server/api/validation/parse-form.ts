import { decodeUtf8 } from "./decode-utf8.ts";

const isHex = (b: number | undefined) => b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66));

/** "+" → space and %XX → its byte, as the WHATWG form parser does (a "%" not followed by two hex digits stays). */
function percentDecode(s: string): Uint8Array {
  const bytes = Buffer.from(s.replace(/\+/g, " "), "utf8");
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x25 && isHex(bytes[i + 1]) && isHex(bytes[i + 2])) {
      out[n++] = Number.parseInt(String.fromCharCode(bytes[i + 1] as number, bytes[i + 2] as number), 16);
      i += 2;
    } else {
      out[n++] = bytes[i] as number;
    }
  }
  return out.subarray(0, n);
}

/**
 * An application/x-www-form-urlencoded body as fields (the first of repeated names wins), or null when
 * a percent-escape decodes to bytes that are not UTF-8. URLSearchParams would put U+FFFD there instead,
 * so `uid=u-j%FCrgen` and `uid=u-j%FFrgen` would name one uid.
 */
export function parseForm(text: string): Record<string, string> | null {
  const fields: Record<string, string> = Object.create(null);
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    const name = decodeUtf8(percentDecode(at < 0 ? pair : pair.slice(0, at)));
    const value = decodeUtf8(percentDecode(at < 0 ? "" : pair.slice(at + 1)));
    if (name === null || value === null) return null;
    if (!(name in fields)) fields[name] = value;
  }
  return fields;
}
