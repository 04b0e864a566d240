// A list answer (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`) cut into its items as its
// bytes arrive: each item is parsed on its own and handed on, so a page of tens of MB is
// never one string or one parsed tree; what is not an item (kind, metadata.continue) is
// kept and parsed at the end with "items":[].

/** One item larger than this is refused (a NodeFeature is ~50 KB). */
export const MAX_ITEM_BYTES = 32 << 20;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

export class ListSplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inItems = false;
  /** Parts of the item being read (it can span chunks). */
  private item: Buffer[] = [];
  private itemBytes = 0;
  private inItem = false;
  private rest: Buffer[] = [];

  /** `parse` turns an item's text into the item (default JSON.parse). */
  constructor(
    private readonly onItem: (item: unknown) => void,
    private readonly parse: (text: string) => unknown = JSON.parse,
  ) {}

  write(buf: Buffer): void {
    const n = buf.length;
    let from = 0; // start of the bytes not yet given to item or rest
    let nextBackslash = buf.indexOf(BACKSLASH);
    let i = 0;
    while (i < n) {
      if (this.inString) {
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = buf.indexOf(BACKSLASH, i);
        const q = buf.indexOf(QUOTE, i);
        if (nextBackslash !== -1 && (q === -1 || nextBackslash < q)) {
          this.escaped = true;
          i = nextBackslash + 1;
          continue;
        }
        if (q === -1) break; // the string goes on in the next chunk
        this.inString = false;
        i = q + 1;
        continue;
      }
      const c = buf[i] as number;
      if (c === QUOTE) this.inString = true;
      else if (c === 0x7b || c === 0x5b) {
        // { or [
        if (this.inItems && this.depth === 2 && !this.inItem) {
          this.inItem = true;
          from = i;
        } else if (
          !this.inItems &&
          this.depth === 1 &&
          c === 0x5b &&
          this.itemsKeyBefore(buf, from, i)
        ) {
          this.rest.push(buf.subarray(from, i + 1));
          from = i + 1;
          this.inItems = true;
        }
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        // } or ]
        this.depth--;
        if (this.inItem && this.depth === 2) {
          this.take(buf.subarray(from, i + 1));
          this.emit();
          from = i + 1;
        } else if (this.inItems && this.depth === 1) {
          from = i; // the "]" goes to rest
          this.inItems = false;
        }
      } else if (this.inItems && !this.inItem && this.depth === 2) {
        from = i + 1; // commas and spaces between items
      }
      i++;
    }
    if (this.inItem) this.take(buf.subarray(from, n));
    else if (!this.inItems) this.rest.push(buf.subarray(from, n));
  }

  /** The list without its items (throws if it is not JSON). */
  end(): { items?: unknown; metadata?: { continue?: unknown } } {
    if (this.depth !== 0 || this.inString) throw new SyntaxError("the list ends early");
    return JSON.parse(Buffer.concat(this.rest).toString("utf8")) as {
      metadata?: { continue?: unknown };
    };
  }

  private itemsKeyBefore(buf: Buffer, from: number, i: number): boolean {
    const parts = [buf.subarray(from, i)];
    let size = i - from;
    for (let k = this.rest.length - 1; k >= 0 && size < 64; k--) {
      const r = this.rest[k] as Buffer;
      parts.unshift(r);
      size += r.length;
    }
    const tail = Buffer.concat(parts).toString("latin1");
    return /"items"\s*:\s*$/.test(tail.slice(-64));
  }

  private take(part: Buffer): void {
    this.itemBytes += part.length;
    if (this.itemBytes > MAX_ITEM_BYTES)
      throw new RangeError(`an item is larger than ${MAX_ITEM_BYTES} bytes`);
    this.item.push(Buffer.from(part)); // a copy: the chunk is not kept alive by a slice
  }

  private emit(): void {
    const text = Buffer.concat(this.item).toString("utf8");
    this.item = [];
    this.itemBytes = 0;
    this.inItem = false;
    this.onItem(this.parse(text));
  }
}
