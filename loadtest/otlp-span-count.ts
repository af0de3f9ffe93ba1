/**
 * Spans in one OTLP trace export, without a protobuf library: ExportTraceServiceRequest { 1: ResourceSpans }
 * → ResourceSpans { 2: ScopeSpans } → ScopeSpans { 2: Span } (every one length-delimited). JSON bodies
 * (`http/json`) are counted from the same structure.
 */
export function countSpans(body: Uint8Array, contentType: string): number {
  if (contentType.includes("json")) {
    const request = JSON.parse(Buffer.from(body).toString("utf8") || "{}") as { resourceSpans?: { scopeSpans?: { spans?: unknown[] }[] }[] };
    return (request.resourceSpans ?? []).reduce((n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans ?? []).length, 0), 0);
  }
  let spans = 0;
  for (const rs of nested(body, 0, body.length, 1)) for (const ss of nested(body, rs[0], rs[1], 2)) spans += [...nested(body, ss[0], ss[1], 2)].length;
  return spans;
}

/** The [start, end) ranges of the length-delimited fields numbered `field` in buf[start, end). */
function* nested(buf: Uint8Array, start: number, end: number, field: number): Generator<[number, number]> {
  let at = start;
  const varint = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      if (at >= end) throw new Error("truncated protobuf");
      const byte = buf[at++] as number;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
    }
  };
  while (at < end) {
    const key = varint();
    const wire = key % 8;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const length = varint();
      if (Math.floor(key / 8) === field) yield [at, at + length];
      at += length;
    } else throw new Error(`unexpected protobuf wire type ${wire}`);
  }
}
