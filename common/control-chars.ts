// Text that ends up in a line-oriented file or a request line must never carry a line break or any other
// control character: one such byte turns a value into extra directives. Pure.

/** True when `s` holds a C0 or C1 control character or DEL (line breaks and NUL included). */
export function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
