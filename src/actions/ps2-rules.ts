/**
 * Rejects PowerShell 3.0+ constructs in a script, so nothing reaches a 2.0 host that it cannot
 * run. Scripts come from our own builders: the check guards against a builder drifting, not
 * against hostile input.
 *
 * Why regex and not a tree-sitter AST here: tree-sitter is a development dependency with a
 * native binding loaded by top-level await, and this check belongs to the product. The regexes
 * run on a "code view" of the script in which comments are blanked and string contents are
 * blanked (except bare words such as 'Ignore', which some rules need, and `$(…)` / `$name`
 * inside double-quoted strings, which are code), so a path or value that happens to spell a
 * cmdlet name cannot trigger a rule. The tests parse every generated script with
 * tree-sitter-powershell as well.
 */

/** One rule: what it finds and what to use instead on PowerShell 2.0. */
interface Rule {
  name: string;
  pattern: RegExp;
  instead: string;
}

const QUOTE1 = "'\u2018\u2019\u201A\u201B";
const QUOTE2 = '"\u201C\u201D\u201E';

/** Whether `c` (possibly past the end: undefined) is one of `quotes`. */
function isQuote(quotes: string, c: string | undefined): boolean {
  return c !== undefined && c.length === 1 && quotes.includes(c);
}

const RULES: readonly Rule[] = [
  {
    name: 'ConvertFrom-Json/ConvertTo-Json',
    pattern: /\bConvert(?:From|To)-Json\b/gi,
    instead: 'print DR:key=value lines',
  },
  { name: '[ordered]', pattern: /\[ordered\]/gi, instead: 'a plain @{} hashtable' },
  {
    name: '-ErrorAction Ignore',
    pattern: /(?:-(?:ErrorAction|ea)(?:\s*:\s*|\s+)|\$ErrorActionPreference\s*=\s*)['"]?Ignore\b/gi,
    instead: 'SilentlyContinue',
  },
  { name: 'CIM cmdlets', pattern: /\b[A-Za-z]+-Cim[A-Za-z]*\b/gi, instead: 'Get-WmiObject' },
  {
    name: '[pscustomobject]',
    pattern: /\[(?:System\.Management\.Automation\.)?pscustomobject\]/gi,
    instead: 'New-Object PSObject -Property @{…}',
  },
  {
    name: 'Invoke-RestMethod/Invoke-WebRequest',
    pattern: /\bInvoke-(?:RestMethod|WebRequest)\b|(?:^|[|;{(]\s*)(?:irm|iwr)\s/gim,
    instead: 'System.Net.WebClient',
  },
  { name: '$PSItem', pattern: /\$(?:\{PSItem\}|PSItem\b)/gi, instead: '$_' },
  {
    name: '-In/-NotIn operators',
    pattern: /(?<=[\s)\]'"])-[ci]?(?:not)?in\b(?!\s*:)/gi,
    instead: '-contains/-notcontains with the operands swapped',
  },
  {
    name: 'Get-FileHash',
    pattern: /\bGet-FileHash\b/gi,
    instead: '[Security.Cryptography.SHA256]::Create().ComputeHash on a FileStream',
  },
  {
    name: 'null-conditional ?. / null-coalescing ??',
    pattern: /\?\?|\?\.(?!\.)/g,
    instead: 'an explicit if ($x -ne $null)',
  },
  { name: '::new(', pattern: /::new\s*\(/gi, instead: 'New-Object' },
  {
    name: 'class/enum definition',
    pattern: /(?:^|[;{}])[ \t]*(?:class|enum)[ \t]+[A-Za-z_]\w*/gim,
    instead: 'functions and hashtables',
  },
  {
    name: 'using statement',
    pattern: /(?:^|[;{}])[ \t]*using[ \t]+(?:namespace|module|assembly)\b/gim,
    instead: 'full type names',
  },
  {
    name: 'Where-Object simplified syntax',
    pattern:
      /\bWhere-Object[ \t]+(?![{(]|-FilterScript\b|-InputObject\b)\S|\|[ \t]*(?:where|\?)[ \t]+(?![{(]|-FilterScript\b)\S/gi,
    instead: 'Where-Object { $_.Name -eq … }',
  },
  {
    name: 'ForEach-Object -MemberName / simplified syntax',
    pattern:
      /\bForEach-Object[ \t]+(?:-MemberName\b|(?![{(]|-)\S)|\|[ \t]*(?:foreach|%)[ \t]+(?:-MemberName\b|(?![{(]|-)\S)/gi,
    instead: 'ForEach-Object { $_.Name }',
  },
  {
    name: 'Get-ChildItem -Depth',
    pattern: /\b(?:Get-ChildItem|gci|dir|ls)\b[^\n;|]*?[ \t]-Depth\b/gi,
    instead: 'a bounded recursive function or [IO.Directory]::GetFiles',
  },
  {
    name: '-NoNewline on Out-File/Set-Content',
    pattern: /\b(?:Out-File|Set-Content|Add-Content)\b[^\n;|]*?[ \t]-NoNewline\b/gi,
    instead: '[IO.File]::WriteAllText',
  },
];

/** The names of the rules, for reports and tests. */
export const PS3_RULE_NAMES: readonly string[] = RULES.map((r) => r.name);

/**
 * Finds PowerShell 3.0+ constructs. Returns one message per finding,
 * `line N: <construct> is PowerShell 3.0+; use <alternative>`, empty when the script is 2.0-safe.
 *
 * @example findPs3Constructs("$x = [ordered]@{}") // ['line 1: [ordered] is PowerShell 3.0+; use a plain @{} hashtable']
 */
export function findPs3Constructs(script: string): string[] {
  const code = codeView(script);
  const found: { index: number; message: string }[] = [];
  for (const rule of RULES) {
    for (const match of code.matchAll(rule.pattern)) {
      const index = match.index + (match[0].length - match[0].trimStart().length);
      found.push({
        index,
        message: `line ${lineOf(code, index)}: ${rule.name} is PowerShell 3.0+; use ${rule.instead}`,
      });
    }
  }
  return found.sort((a, b) => a.index - b.index).map((f) => f.message);
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) if (text[i] === '\n') line++;
  return line;
}

/**
 * The script with comments and string contents replaced by spaces (newlines kept, so indexes and
 * line numbers still match the original).
 */
export function codeView(script: string): string {
  const out = script.split('');
  const blank = (from: number, to: number): void => {
    for (let i = from; i < to && i < out.length; i++) if (out[i] !== '\n') out[i] = ' ';
  };
  scanCode(script, 0, false, blank);
  return out.join('');
}

type Blank = (from: number, to: number) => void;

const TOKEN_START = /[\s;(){}|&,=]/;

/** Scans code from `i`; with `inSub`, stops after the `)` closing a `$(`. Returns the index reached. */
function scanCode(s: string, start: number, inSub: boolean, blank: Blank): number {
  let depth = 0;
  let i = start;
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '`') {
      i += 2;
    } else if (c === '<' && s[i + 1] === '#') {
      const end = s.indexOf('#>', i + 2);
      const stop = end < 0 ? s.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '#' && (i === 0 || TOKEN_START.test(s[i - 1] ?? ''))) {
      const end = s.indexOf('\n', i);
      const stop = end < 0 ? s.length : end;
      blank(i, stop);
      i = stop;
    } else if (
      c === '@' &&
      (s[i + 1] === "'" || s[i + 1] === '"') &&
      /^[ \t]*\r?\n/.test(s.slice(i + 2, i + 40))
    ) {
      const close = `\n${s[i + 1] ?? ''}@`;
      const end = s.indexOf(close, i + 2);
      const stop = end < 0 ? s.length : end + close.length;
      blank(i + 2, stop - 2);
      i = stop;
    } else if (isQuote(QUOTE1, c)) {
      i = scanSingle(s, i, blank);
    } else if (isQuote(QUOTE2, c)) {
      i = scanDouble(s, i, blank);
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      i++;
      if (inSub && depth === 0) return i;
      depth--;
    } else {
      i++;
    }
  }
  return i;
}

/** A '…' string: a quote followed by another quote is an escaped quote (any of the four kinds). */
function scanSingle(s: string, open: number, blank: Blank): number {
  let i = open + 1;
  while (i < s.length) {
    if (isQuote(QUOTE1, s[i])) {
      if (isQuote(QUOTE1, s[i + 1])) {
        i += 2;
        continue;
      }
      break;
    }
    i++;
  }
  const content = s.slice(open + 1, i);
  if (!/^[A-Za-z]+$/.test(content)) blank(open + 1, i);
  return i + 1;
}

/** A "…" string: backtick escapes, doubled quotes, and `$(…)` / `$name` kept as code. */
function scanDouble(s: string, open: number, blank: Blank): number {
  let i = open + 1;
  let runStart = i;
  const flush = (to: number): void => blank(runStart, to);
  while (i < s.length) {
    const c = s[i] ?? '';
    if (c === '`') {
      i += 2;
    } else if (isQuote(QUOTE2, c)) {
      if (isQuote(QUOTE2, s[i + 1])) {
        i += 2;
        continue;
      }
      break;
    } else if (c === '$' && s[i + 1] === '(') {
      flush(i);
      i = scanCode(s, i + 2, true, blank);
      runStart = i;
    } else if (c === '$' && /[A-Za-z_{]/.test(s[i + 1] ?? '')) {
      flush(i);
      const m = /^\$(?:\{[^}]*\}|[A-Za-z_][\w:]*)/.exec(s.slice(i));
      i += m ? m[0].length : 1;
      runStart = i;
    } else {
      i++;
    }
  }
  flush(i);
  return i + 1;
}
