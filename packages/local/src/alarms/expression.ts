/**
 * The part of CloudWatch metric math that alarms use here: numbers, metric ids, + - * /,
 * parentheses, unary minus and FILL(x, value). A value is a number or missing (no datapoint);
 * arithmetic with a missing operand is missing, as in CloudWatch, unless FILL gives it a value.
 */

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; name: string }
  | { kind: 'neg'; operand: Node }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/'; left: Node; right: Node }
  | { kind: 'call'; name: string; args: Node[] };

export class ExpressionError extends Error {
  constructor(expression: string, problem: string) {
    super(`metric math "${expression}": ${problem} (the local runtime knows + - * /, parentheses and FILL)`);
    this.name = 'ExpressionError';
  }
}

const TOKEN = /\d+(?:\.\d+)?|[A-Za-z_][A-Za-z0-9_]*|\S/g;

/** Parses `expression` once; the result evaluates it against the values of its metric ids. */
export function compileExpression(
  expression: string,
): (values: Readonly<Record<string, number | undefined>>) => number | undefined {
  const tokens = expression.match(TOKEN) ?? [];
  let at = 0;
  const fail = (problem: string): never => {
    throw new ExpressionError(expression, problem);
  };
  const peek = () => tokens[at];
  const take = (expected?: string) => {
    const token = tokens[at];
    if (token === undefined || (expected !== undefined && token !== expected))
      fail(`expected ${expected ?? 'more'} at token ${at + 1}`);
    at += 1;
    return token as string;
  };
  const primary = (): Node => {
    const token = take();
    if (token === '(') {
      const inner = sum();
      take(')');
      return inner;
    }
    if (token === '-') return { kind: 'neg', operand: primary() };
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (/^[A-Za-z_]/.test(token)) {
      if (peek() !== '(') return { kind: 'id', name: token };
      take('(');
      const args: Node[] = [];
      while (peek() !== ')') {
        args.push(sum());
        if (peek() === ',') take(',');
      }
      take(')');
      return { kind: 'call', name: token.toUpperCase(), args };
    }
    return fail(`unexpected "${token}"`);
  };
  const product = (): Node => {
    let node = primary();
    while (peek() === '*' || peek() === '/') {
      const op = take() as '*' | '/';
      node = { kind: 'binary', op, left: node, right: primary() };
    }
    return node;
  };
  const sum = (): Node => {
    let node = product();
    while (peek() === '+' || peek() === '-') {
      const op = take() as '+' | '-';
      node = { kind: 'binary', op, left: node, right: product() };
    }
    return node;
  };
  const root = sum();
  if (at !== tokens.length) fail(`unexpected "${tokens[at]}"`);

  const evaluate = (node: Node, values: Readonly<Record<string, number | undefined>>): number | undefined => {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'id':
        if (!(node.name in values)) fail(`no metric with id ${node.name}`);
        return values[node.name];
      case 'neg': {
        const v = evaluate(node.operand, values);
        return v === undefined ? undefined : -v;
      }
      case 'binary': {
        const l = evaluate(node.left, values);
        const r = evaluate(node.right, values);
        if (l === undefined || r === undefined) return undefined;
        if (node.op === '+') return l + r;
        if (node.op === '-') return l - r;
        if (node.op === '*') return l * r;
        // CloudWatch drops a datapoint divided by zero.
        return r === 0 ? undefined : l / r;
      }
      case 'call': {
        if (node.name !== 'FILL' || node.args.length !== 2)
          return fail(`${node.name} with ${node.args.length} argument(s)`);
        const [value, fill] = node.args as [Node, Node];
        return evaluate(value, values) ?? evaluate(fill, values);
      }
    }
  };
  // Refuse unknown functions at once rather than at the first evaluation.
  const check = (node: Node): void => {
    if (node.kind === 'call') {
      if (node.name !== 'FILL' || node.args.length !== 2)
        fail(`${node.name} with ${node.args.length} argument(s)`);
      node.args.forEach(check);
    } else if (node.kind === 'binary') {
      check(node.left);
      check(node.right);
    } else if (node.kind === 'neg') check(node.operand);
  };
  check(root);
  return (values) => evaluate(root, values);
}
