/**
 * The label selector grammar of upstream's labels.Parse: a lexer over
 * identifiers and the symbols `= == != ! ( ) , > <` plus the keywords
 * `in`/`notin`, and a recursive-descent parser producing requirements.
 * Error texts are upstream's, since clients show them verbatim.
 */
import { type Operator, type Requirement, aggregateText, validateLabelKey, validateRequirement } from './requirement.js';

type Token =
  | 'error'
  | 'eos'
  | 'closedPar'
  | 'comma'
  | 'doesNotExist'
  | 'doubleEquals'
  | 'equals'
  | 'greaterThan'
  | 'identifier'
  | 'in'
  | 'lessThan'
  | 'notEquals'
  | 'notIn'
  | 'openPar';

const stringToToken: Record<string, Token> = {
  ')': 'closedPar',
  ',': 'comma',
  '!': 'doesNotExist',
  '==': 'doubleEquals',
  '=': 'equals',
  '>': 'greaterThan',
  in: 'in',
  '<': 'lessThan',
  '!=': 'notEquals',
  notin: 'notIn',
  '(': 'openPar',
};

interface Scanned {
  tok: Token;
  lit: string;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isSpecial = (c: string): boolean => '=!(),><'.includes(c);

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  // Upstream reads bytes and treats NUL as end of input.
  const at = (i: number): string => (i < s.length && s[i] !== '\0' ? s[i]! : '');
  for (;;) {
    while (at(pos) !== '' && isWhitespace(at(pos))) pos++;
    const c = at(pos);
    if (c === '') {
      out.push({ tok: 'eos', lit: '' });
      return out;
    }
    if (isSpecial(c)) {
      let buffer = '';
      let last: Scanned | undefined;
      while (at(pos) !== '' && isSpecial(at(pos))) {
        buffer += at(pos);
        const t = stringToToken[buffer];
        if (t) {
          last = { tok: t, lit: buffer };
          pos++;
        } else if (last) break;
        else pos++;
      }
      out.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buffer}'` });
      if (!last) {
        out.push({ tok: 'eos', lit: '' });
        return out;
      }
      continue;
    }
    let word = '';
    while (at(pos) !== '' && !isWhitespace(at(pos)) && !isSpecial(at(pos))) word += at(pos++);
    const kw = stringToToken[word];
    out.push(kw ? { tok: kw, lit: word } : { tok: 'identifier', lit: word });
  }
}

class SelectorSyntaxError extends Error {}

class Parser {
  private position = 0;
  constructor(private readonly items: Scanned[]) {}

  /** In value context `in`/`notin` are plain identifiers. */
  private lookahead(values: boolean): Scanned {
    const it = this.items[Math.min(this.position, this.items.length - 1)]!;
    return values && (it.tok === 'in' || it.tok === 'notIn') ? { tok: 'identifier', lit: it.lit } : it;
  }

  private consume(values: boolean): Scanned {
    const it = this.lookahead(values);
    this.position++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.lookahead(true);
      switch (tok) {
        case 'identifier':
        case 'doesNotExist': {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (err) {
            if (err instanceof SelectorSyntaxError) throw new SelectorSyntaxError(`unable to parse requirement: ${err.message}`);
            throw err;
          }
          reqs.push(r);
          const t = this.consume(true);
          if (t.tok === 'eos') return reqs;
          if (t.tok === 'comma') {
            const t2 = this.lookahead(true);
            if (t2.tok !== 'identifier' && t2.tok !== 'doesNotExist') throw new SelectorSyntaxError(`found '${t2.lit}', expected: identifier after ','`);
            break;
          }
          throw new SelectorSyntaxError(`found '${t.lit}', expected: ',' or 'end of string'`);
        }
        case 'eos':
          return reqs;
        default:
          throw new SelectorSyntaxError(`found '${lit}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === 'exists' || operator === '!') return newRequirement(key, operator, []);
    const op = this.parseOperator();
    let values: string[] = [];
    if (op === 'in' || op === 'notin') values = this.parseValues();
    else values = this.parseExactValue();
    return newRequirement(key, op, [...new Set(values)].sort());
  }

  private parseKeyAndInferOperator(): { key: string; operator: Operator | undefined } {
    let operator: Operator | undefined;
    let { tok, lit } = this.consume(true);
    if (tok === 'doesNotExist') {
      operator = '!';
      ({ tok, lit } = this.consume(true));
    }
    if (tok !== 'identifier') throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
    const keyErr = validateLabelKey(lit, undefined);
    if (keyErr) throw new SelectorSyntaxError(aggregateText([keyErr]));
    const next = this.lookahead(true).tok;
    if ((next === 'eos' || next === 'comma') && operator !== '!') operator = 'exists';
    return { key: lit, operator };
  }

  private parseOperator(): Operator {
    const { tok, lit } = this.consume(false);
    switch (tok) {
      case 'doesNotExist':
        return '!';
      case 'equals':
        return '=';
      case 'doubleEquals':
        return '==';
      case 'greaterThan':
        return 'gt';
      case 'lessThan':
        return 'lt';
      case 'in':
        return 'in';
      case 'notEquals':
        return '!=';
      case 'notIn':
        return 'notin';
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }

  private parseValues(): string[] {
    const open = this.consume(true);
    if (open.tok !== 'openPar') throw new SelectorSyntaxError(`found '${open.lit}' expected: '('`);
    const { tok, lit } = this.lookahead(true);
    switch (tok) {
      case 'identifier':
      case 'comma': {
        const s = this.parseIdentifiersList();
        if (this.consume(true).tok !== 'closedPar') throw new SelectorSyntaxError(`found '${lit}', expected: ')'`);
        return s;
      }
      case 'closedPar':
        this.consume(true);
        return [''];
      default:
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): string[] {
    const s = new Set<string>();
    for (;;) {
      const { tok, lit } = this.consume(true);
      if (tok === 'identifier') {
        s.add(lit);
        const t2 = this.lookahead(true);
        if (t2.tok === 'comma') continue;
        if (t2.tok === 'closedPar') return [...s];
        throw new SelectorSyntaxError(`found '${t2.lit}', expected: ',' or ')'`);
      } else if (tok === 'comma') {
        if (s.size === 0) s.add('');
        const t2 = this.lookahead(true);
        if (t2.tok === 'closedPar') {
          s.add('');
          return [...s];
        }
        if (t2.tok === 'comma') {
          this.consume(true);
          s.add('');
        }
      } else {
        throw new SelectorSyntaxError(`found '${lit}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): string[] {
    const t = this.lookahead(true);
    if (t.tok === 'eos' || t.tok === 'comma') return [''];
    const { tok, lit } = this.consume(true);
    if (tok === 'identifier') return [lit];
    throw new SelectorSyntaxError(`found '${lit}', expected: identifier`);
  }
}

function newRequirement(key: string, operator: Operator, values: string[]): Requirement {
  const r: Requirement = { key, operator, values };
  const errs = validateRequirement(r);
  if (errs.length) throw new SelectorSyntaxError(aggregateText(errs));
  return r;
}

/** Parses a selector string into requirements sorted by key; undefined error when valid. */
export function parseRequirements(selector: string): { requirements: Requirement[] } | { error: string } {
  try {
    const reqs = new Parser(lex(selector)).parse();
    return { requirements: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
  } catch (err) {
    if (err instanceof SelectorSyntaxError) return { error: err.message };
    throw err;
  }
}
