import type { JavaRegex } from './java-regex.js';
import { JavaRegexSyntaxError } from './java-regex.js';

type Part = { kind: 'text'; text: string } | { kind: 'group'; index: number } | { kind: 'named'; name: string };

/**
 * A replacement string in Java's `Matcher.replaceFirst/replaceAll` syntax, checked against a regex
 * when compiled: `$n` refers to group n (further digits are taken while the number stays a valid
 * group, as Java does), `${name}` to a named group, and a backslash makes the next character literal
 * (`\$`). A group that did not participate in the match contributes nothing.
 */
export class JavaReplacement {
  readonly #parts: readonly Part[];

  /** @throws JavaRegexSyntaxError for a trailing backslash, `$` without a group, or an unknown group. */
  constructor(
    readonly text: string,
    regex: JavaRegex,
  ) {
    const parts: Part[] = [];
    let literal = '';
    const flush = (): void => {
      if (literal !== '') parts.push({ kind: 'text', text: literal });
      literal = '';
    };
    for (let i = 0; i < text.length; i++) {
      const ch = text[i] as string;
      if (ch === '\\') {
        const next = text[i + 1];
        if (next === undefined) throw new JavaRegexSyntaxError('The replacement ends with a backslash (character to be escaped is missing)');
        literal += next;
        i++;
      } else if (ch === '$') {
        const next = text[i + 1];
        if (next === '{') {
          const close = text.indexOf('}', i + 2);
          const name = close < 0 ? '' : text.slice(i + 2, close);
          if (close < 0 || !/^[a-zA-Z][a-zA-Z0-9]*$/.test(name)) throw new JavaRegexSyntaxError('Illegal named group reference in the replacement');
          if (!regex.groupNames.includes(name)) throw new JavaRegexSyntaxError(`The replacement refers to group <${name}>, which the regex does not have`);
          flush();
          parts.push({ kind: 'named', name });
          i = close;
        } else if (next !== undefined && /[0-9]/.test(next)) {
          let index = Number(next);
          if (index > regex.groupCount) throw new JavaRegexSyntaxError(`The replacement refers to group ${index}, but the regex has ${regex.groupCount}`);
          let j = i + 2;
          while (j < text.length && /[0-9]/.test(text[j] as string) && index * 10 + Number(text[j]) <= regex.groupCount) {
            index = index * 10 + Number(text[j]);
            j++;
          }
          flush();
          parts.push({ kind: 'group', index });
          i = j - 1;
        } else {
          throw new JavaRegexSyntaxError('Illegal group reference in the replacement: "$" must be followed by a group number or {name} (write \\$ for a dollar sign)');
        }
      } else {
        literal += ch;
      }
    }
    flush();
    this.#parts = Object.freeze(parts);
  }

  /** The replacement with the groups of `match` substituted. */
  expand(match: RegExpExecArray): string {
    let out = '';
    for (const part of this.#parts) {
      if (part.kind === 'text') out += part.text;
      else if (part.kind === 'group') out += match[part.index] ?? '';
      else out += match.groups?.[part.name] ?? '';
    }
    return out;
  }
}
