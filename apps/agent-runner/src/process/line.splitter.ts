import { StringDecoder } from 'node:string_decoder';

/** Longest line kept as one event; longer lines are cut into pieces of this many characters. */
export const MAX_LINE_CHARS = 16_384;

/**
 * Turns a byte stream into text lines: UTF-8 characters split across chunks are kept whole, "\r\n" and "\n" end a
 * line, a line longer than maxChars is cut, and end() returns the last line when it has no newline.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly maxChars = MAX_LINE_CHARS) {}

  push(chunk: Buffer): string[] {
    return this.split(this.partial + this.decoder.write(chunk), false);
  }

  end(): string[] {
    return this.split(this.partial + this.decoder.end(), true);
  }

  private split(text: string, final: boolean): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl >= 0; nl = text.indexOf('\n', start)) {
      this.cut(text.slice(start, nl).replace(/\r$/, ''), lines);
      start = nl + 1;
    }
    let rest = text.slice(start);
    while (rest.length > this.maxChars) {
      lines.push(rest.slice(0, this.maxChars));
      rest = rest.slice(this.maxChars);
    }
    if (final && rest) {
      lines.push(rest.replace(/\r$/, ''));
      rest = '';
    }
    this.partial = rest;
    return lines;
  }

  private cut(line: string, into: string[]): void {
    for (let i = 0; i < line.length; i += this.maxChars) into.push(line.slice(i, i + this.maxChars));
    if (line.length === 0) into.push('');
  }
}
